/**
 * The dashboard's view of one Redis: every weft queue and task queue on it (found by a SCAN
 * of the `weft:{queue:…` and `weft:{executor:…` keys), their workers and dead letters. It
 * only reads, except for the re-drive button (the dead-letter API) and forgetting the ids of
 * workers whose heartbeat expired.
 * @module
 */
import type { Redis } from 'ioredis';
import { RedisConnection, type RedisConnectionOptions } from '../redis/connection.js';
import { RedisDeadLetters } from '../redis/dead-letters.js';
import { streamFigures, streamIdTime } from '../redis/stream-figures.js';
import { listWorkers, type WorkerBeat } from '../redis/worker-list.js';
import { RateWindow } from './rate-window.js';
import {
  type DashboardSnapshot,
  type DeadLetterFigures,
  type ExecutorFigures,
  type QueueFigures,
  type SnapshotSource,
  snapshotOf,
  type WorkerFigures,
} from './snapshot.js';

/** The dead letters shown per task queue, newest last. */
const DEAD_LETTERS_SHOWN = 100;
/** How long a worker whose heartbeat is gone stays on the page (ms). */
const GONE_SHOWN_MS = 60_000;
/** Below this many keys in the database, every look scans for new queues; above, every tenth. */
const SMALL_DATABASE = 10_000;

const KEY = /^weft:\{(queue|executor):([^{}]+)\}/;

/** A worker that disappeared, as last seen. */
interface GoneWorker {
  readonly beat: WorkerBeat;
  readonly health: 'stopped' | 'lost';
  readonly since: number;
}

/** Snapshots of one Redis. */
export class RedisSource implements SnapshotSource {
  readonly name: string;
  readonly scope = 'redis';
  readonly #connection: RedisConnection;
  readonly #rates = new Map<string, { done: RateWindow; added: RateWindow }>();
  readonly #deadLetters = new Map<string, RedisDeadLetters>();
  /** Workers seen on the last look (and when), and those gone since, by queue and id. */
  #seen = new Map<string, WorkerBeat>();
  #seenAt = 0;
  readonly #gone = new Map<string, GoneWorker>();
  #names: { queues: string[]; executors: string[] } = { queues: [], executors: [] };
  #looks = 0;

  constructor(options: RedisConnectionOptions) {
    this.#connection = new RedisConnection(options, 'serveDashboard');
    this.name = withoutPassword(this.#connection.address);
  }

  /** Resolves once Redis answers; rejects with `RedisUnavailableError` when it cannot be reached. */
  ready(): Promise<void> {
    return this.#connection.ready();
  }

  async take(): Promise<DashboardSnapshot> {
    await this.#connection.ready();
    const client = this.#connection.client;
    if (this.#looks++ % 10 === 0 || (await client.dbsize()) < SMALL_DATABASE) {
      this.#names = await findNames(client);
    }
    const [seconds, micros] = (await client.time()) as [number | string, number | string];
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const queues = await Promise.all(
      this.#names.queues.map((name) => this.#queue(client, 'queue', name, now)),
    );
    const executors: ExecutorFigures[] = [];
    const workers: WorkerFigures[] = [];
    const deadLetters: DeadLetterFigures[] = [];
    const seen = new Map<string, WorkerBeat>();
    for (const name of this.#names.executors) {
      const prefix = `weft:{executor:${name}}`;
      const [figures, beats, counts, letters] = await Promise.all([
        this.#queue(client, 'executor', name, now),
        listWorkers(client, name),
        client.multi().zcard(`${prefix}:delayed`).zcard(`${prefix}:dead-index`).exec(),
        this.#letters(name).list({ count: DEAD_LETTERS_SHOWN }),
      ]);
      for (const beat of beats) {
        seen.set(`${name}\n${beat.id}`, beat);
        workers.push(workerFigures(beat, now));
      }
      const [[, retrying], [, dead]] = counts as [[unknown, number], [unknown, number]];
      executors.push({
        ...figures,
        failedPerSecond: null,
        retrying,
        dead,
        workers: beats.filter((beat) => beat.state === 'running').length,
      });
      for (const letter of letters) deadLetters.push(deadLetterFigures(name, letter));
    }
    workers.push(...this.#goneWorkers(seen, now));
    return snapshotOf(this, now, { queues, executors, workers, deadLetters });
  }

  redrive(queue: string, id: string): Promise<boolean> {
    return this.#letters(queue).redrive(id);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#deadLetters.values()].map((letters) => letters.close()));
    await this.#connection.close();
  }

  async #queue(client: Redis, kind: string, name: string, now: number): Promise<QueueFigures> {
    const figures = await streamFigures(client, `weft:{${kind}:${name}}`);
    const key = `${kind}\n${name}`;
    let rates = this.#rates.get(key);
    if (rates === undefined) {
      rates = { done: new RateWindow(), added: new RateWindow() };
      this.#rates.set(key, rates);
    }
    return {
      name,
      waiting: figures.waiting,
      inFlight: figures.inFlight,
      donePerSecond: figures.finished === undefined ? null : rates.done.add(now, figures.finished),
      addedPerSecond: figures.added === undefined ? null : rates.added.add(now, figures.added),
      oldestAgeMs:
        figures.oldestId === undefined ? null : Math.max(0, now - streamIdTime(figures.oldestId)),
      shutDown: figures.shutDown ?? null,
    };
  }

  #letters(queue: string): RedisDeadLetters {
    let letters = this.#deadLetters.get(queue);
    if (letters === undefined) {
      letters = new RedisDeadLetters(queue, { redis: this.#connection.client });
      this.#deadLetters.set(queue, letters);
    }
    return letters;
  }

  /**
   * Workers seen before and missing now stay on the page for a minute: `stopped` when their
   * hash went before it would have expired (a worker's close deletes it), else `lost`.
   */
  #goneWorkers(seen: Map<string, WorkerBeat>, now: number): WorkerFigures[] {
    for (const [key, beat] of this.#seen) {
      if (!seen.has(key) && !this.#gone.has(key)) {
        const deleted = beat.state === 'closing' || now < this.#seenAt + beat.expiresIn;
        this.#gone.set(key, { beat, health: deleted ? 'stopped' : 'lost', since: now });
      }
    }
    for (const key of seen.keys()) this.#gone.delete(key);
    this.#seen = seen;
    this.#seenAt = now;
    const shown: WorkerFigures[] = [];
    for (const [key, gone] of this.#gone) {
      if (now - gone.since > GONE_SHOWN_MS) this.#gone.delete(key);
      else shown.push({ ...workerFigures(gone.beat, now), health: gone.health, current: [] });
    }
    return shown;
  }
}

/** The names of the queues and task queues that have keys in Redis, sorted. */
async function findNames(client: Redis): Promise<{ queues: string[]; executors: string[] }> {
  const queues = new Set<string>();
  const executors = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', 'weft:{*', 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const match = KEY.exec(key);
      if (match) (match[1] === 'queue' ? queues : executors).add(match[2]!);
    }
  } while (cursor !== '0');
  return { queues: [...queues].sort(), executors: [...executors].sort() };
}

function workerFigures(beat: WorkerBeat, now: number): WorkerFigures {
  const age = Math.max(0, now - beat.heartbeat);
  // The hash lives three beats: its time to live and the heartbeat's age give the interval.
  const interval = (beat.expiresIn + age) / 3;
  return {
    queue: beat.queue,
    id: beat.id,
    host: beat.host,
    pid: beat.pid,
    mode: beat.mode,
    concurrency: beat.concurrency,
    health: age > 2 * interval ? 'late' : 'alive',
    state: beat.state,
    heartbeatAgeMs: age,
    current: beat.current.map((task) => ({
      id: String(task.id),
      task: String(task.task),
      runningMs: Math.max(0, now - Number(task.since)),
    })),
    done: beat.done,
    failed: beat.failed,
  };
}

function deadLetterFigures(
  queue: string,
  letter: Awaited<ReturnType<RedisDeadLetters['list']>>[number],
): DeadLetterFigures {
  const error = letter.error as { name?: unknown; message?: unknown; stack?: unknown } | null;
  const isObject = error !== null && typeof error === 'object';
  return {
    queue,
    id: letter.id,
    task: letter.task,
    error: {
      name: isObject ? String(error.name ?? 'Error') : typeof error,
      message: isObject ? String(error.message ?? '') : String(error),
      stack: isObject ? String(error.stack ?? '') : '',
    },
    attempts: letter.attempts,
    time: letter.time.getTime(),
    worker: letter.worker,
  };
}

/** The address without its password (`redis://:secret@host` → `redis://host`). */
function withoutPassword(address: string): string {
  try {
    const url = new URL(address);
    url.password = '';
    url.username = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return address;
  }
}
