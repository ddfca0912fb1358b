/**
 * The dashboard's HTTP server (node:http, no framework):
 *
 * - `GET /` — the page (dashboard-page.ts);
 * - `GET /snapshot` — the snapshot now, as JSON;
 * - `GET /events` — server-sent events: a `snapshot` event at once and then every interval,
 *   for as long as the page listens (one look serves every listener);
 * - `POST /redrive` — `{ "queue": NAME, "id": TASK_ID }` (JSON) puts a dead letter back;
 *   answers `{ "redriven": true | false }`. Only the page's own origin may post: a request
 *   with another `Origin`, or not sent as JSON (which a cross-site form cannot do), is refused.
 * @module
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DASHBOARD_PAGE, DASHBOARD_PAGE_POLICY } from './dashboard-page.js';
import { type DashboardSnapshot, type Found, type SnapshotSource, snapshotOf } from './snapshot.js';

/** The most bytes a re-drive request body may have. */
const MAX_BODY = 4_096;
/** The lists shown when the first look failed. */
const NOTHING_FOUND: Found = { queues: [], executors: [], workers: [], deadLetters: [] };

/** A running dashboard server. */
export class DashboardServer {
  readonly #server = createServer((request, response) => {
    this.#handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) reply(response, 500, { error: messageOf(error) });
      else response.destroy();
    });
  });
  readonly #listeners = new Set<ServerResponse>();
  #last: DashboardSnapshot | undefined;
  #timer: NodeJS.Timeout | undefined;
  #looking: Promise<DashboardSnapshot> | undefined;
  #pushing = false;
  #closed = false;

  /** `keepsAlive: false`: neither the server nor its pages keep the program running. */
  constructor(
    private readonly source: SnapshotSource,
    private readonly interval: number,
    private readonly keepsAlive = true,
  ) {
    if (!keepsAlive) this.#server.on('connection', (socket) => socket.unref());
  }

  /** Starts listening; resolves with the page's URL. */
  async listen(port: number, host: string): Promise<string> {
    this.#server.listen(port, host);
    if (!this.keepsAlive) this.#server.unref();
    await Promise.race([
      once(this.#server, 'listening'),
      once(this.#server, 'error').then(([error]) => {
        throw error;
      }),
    ]);
    const address = this.#server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${shownHost}:${address.port}/`;
  }

  /** Ends every event stream and stops the server. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const listener of this.#listeners) listener.end();
    this.#listeners.clear();
    const closed = once(this.#server, 'close');
    this.#server.close();
    this.#server.closeAllConnections();
    await closed;
    await this.#looking?.catch(() => undefined);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://dashboard').pathname;
    const routes: Record<string, [method: string, run: () => Promise<void> | void]> = {
      '/': ['GET', () => this.#page(response)],
      '/snapshot': ['GET', async () => reply(response, 200, await this.#look())],
      '/events': ['GET', () => this.#events(response)],
      '/redrive': ['POST', () => this.#redrive(request, response)],
    };
    const route = routes[path];
    if (route === undefined) return reply(response, 404, { error: `no page at ${path}` });
    const [method, run] = route;
    if (request.method !== method && !(method === 'GET' && request.method === 'HEAD')) {
      response.setHeader('allow', method);
      return reply(response, 405, { error: `${path} takes ${method}` });
    }
    await run();
  }

  #page(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': DASHBOARD_PAGE_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    response.end(DASHBOARD_PAGE);
  }

  #events(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // How long the browser waits before it reconnects when the stream drops.
    response.write('retry: 1000\n\n');
    this.#listeners.add(response);
    response.on('close', () => {
      this.#listeners.delete(response);
      if (this.#listeners.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    });
    if (this.#last !== undefined) send(response, this.#last);
    this.#push();
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#push(), this.interval);
      if (!this.keepsAlive) this.#timer.unref();
    }
  }

  /** Takes a snapshot (one at a time) and sends it to every listener. */
  #push(): void {
    if (this.#pushing) return; // a slow Redis: the next tick after this one
    this.#pushing = true;
    this.#look().then((snapshot) => {
      this.#pushing = false;
      for (const listener of this.#listeners) send(listener, snapshot);
    });
  }

  /** The snapshot now (never rejects); when the source fails, the last one with the reason. */
  #look(): Promise<DashboardSnapshot> {
    this.#looking ??= this.source
      .take()
      .catch((error: unknown) => ({
        ...snapshotOf(this.source, Date.now(), NOTHING_FOUND),
        ...this.#last,
        error: messageOf(error),
      }))
      .then((snapshot) => {
        this.#last = snapshot;
        return snapshot;
      })
      .finally(() => {
        this.#looking = undefined;
      });
    return this.#looking;
  }

  async #redrive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${request.headers.host}`) {
      return reply(response, 403, { error: `re-drive is refused from another origin (${origin})` });
    }
    if (!/^application\/json\b/.test(request.headers['content-type'] ?? '')) {
      return reply(response, 415, { error: 'send the re-drive as application/json' });
    }
    let body = '';
    for await (const chunk of request) {
      body += chunk;
      if (body.length > MAX_BODY) return reply(response, 413, { error: 'the body is too long' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const { queue, id } = (parsed ?? {}) as { queue?: unknown; id?: unknown };
    if (typeof queue !== 'string' || typeof id !== 'string' || queue === '' || id === '') {
      return reply(response, 400, {
        error: 'send { "queue": "<task queue>", "id": "<task id>" } as JSON',
      });
    }
    let redriven: boolean;
    try {
      redriven = await this.source.redrive(queue, id);
    } catch (error) {
      // A name no queue can have: the request's mistake.
      if (error instanceof TypeError) return reply(response, 400, { error: error.message });
      throw error;
    }
    reply(response, 200, { redriven });
    this.#push();
  }
}

function send(listener: ServerResponse, snapshot: DashboardSnapshot): void {
  listener.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
