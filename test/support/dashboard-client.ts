// What the dashboard tests share: reading a dashboard's JSON snapshot and its event stream
// over plain HTTP, and finding one queue, task queue or worker in a snapshot.
import type { DashboardSnapshot } from '../../src/dashboard/snapshot.js';

/** `GET /snapshot`, parsed. */
export async function fetchSnapshot(url: string): Promise<DashboardSnapshot> {
  const response = await fetch(new URL('snapshot', url));
  if (!response.ok) throw new Error(`GET /snapshot answered ${response.status}`);
  return (await response.json()) as DashboardSnapshot;
}

/** Polls `/snapshot` until `test` holds (every 50 ms, for up to 30 s); resolves with that snapshot. */
export async function snapshotWhen(
  url: string,
  test: (snapshot: DashboardSnapshot) => boolean,
  what: string,
): Promise<DashboardSnapshot> {
  let last: DashboardSnapshot | undefined;
  for (let i = 0; i < 600; i++) {
    last = await fetchSnapshot(url);
    if (test(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting until ${what}; the last snapshot: ${JSON.stringify(last)}`);
}

/** The server-sent events of `/events`, as they arrive. */
export class EventStream implements AsyncDisposable {
  readonly #abort = new AbortController();
  readonly #reader: Promise<ReadableStreamDefaultReader<Uint8Array>>;
  readonly #decoder = new TextDecoder();
  #buffer = '';
  /** The `retry:` the server sent, in ms, once read. */
  retry: number | undefined;

  constructor(url: string) {
    this.#reader = fetch(new URL('events', url), { signal: this.#abort.signal }).then(
      (response) => {
        if (response.headers.get('content-type')?.startsWith('text/event-stream') !== true) {
          throw new Error(`/events answered ${response.headers.get('content-type')}`);
        }
        return response.body!.getReader();
      },
    );
  }

  /** The next `snapshot` event, or `undefined` when the stream ended. */
  async next(): Promise<DashboardSnapshot | undefined> {
    const reader = await this.#reader;
    for (;;) {
      const end = this.#buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
        }
        if (fields.has('retry')) this.retry = Number(fields.get('retry'));
        if (fields.get('event') === 'snapshot') {
          return JSON.parse(fields.get('data')!) as DashboardSnapshot;
        }
        continue;
      }
      const { value, done } = await reader.read();
      if (done) return undefined;
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  /** Reads events until one passes `test` (at most `limit` events). */
  async until(
    test: (snapshot: DashboardSnapshot) => boolean,
    limit = 60,
  ): Promise<DashboardSnapshot> {
    for (let i = 0; i < limit; i++) {
      const snapshot = await this.next();
      if (snapshot === undefined) throw new Error('the event stream ended');
      if (test(snapshot)) return snapshot;
    }
    throw new Error(`no event of ${limit} passed the test`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#abort.abort();
    await this.#reader.then(
      (reader) => reader.cancel().catch(() => undefined),
      () => undefined,
    );
  }
}

/** The queue named `name` in `snapshot`, or undefined. */
export function queueIn(snapshot: DashboardSnapshot, name: string) {
  return snapshot.queues.find((queue) => queue.name === name);
}

/** The task queue named `name` in `snapshot`, or undefined. */
export function executorIn(snapshot: DashboardSnapshot, name: string) {
  return snapshot.executors.find((executor) => executor.name === name);
}

/** The workers of task queue `name` in `snapshot`. */
export function workersIn(snapshot: DashboardSnapshot, name: string) {
  return snapshot.workers.filter((worker) => worker.queue === name);
}
