/**
 * Read the heartbeats of a task queue's workers (worker-heartbeat.ts), for the dashboard:
 * lists `…:workers`, reads each `…:worker:ID` hash and its time to live, and forgets the ids
 * whose hash expired (their worker stopped beating; a live one adds itself back on its next
 * beat).
 * @module
 */
import type { Redis } from 'ioredis';
import { ExecutorKeys } from './executor-keys.js';

/** One worker as its last heartbeat described it. */
export interface WorkerBeat {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly queue: string;
  readonly mode: string;
  readonly concurrency: number;
  /** When it started and when it last beat (ms since the epoch, by the worker's clock). */
  readonly started: number;
  readonly heartbeat: number;
  readonly state: string;
  /** The tasks it runs. */
  readonly current: readonly { id: string; task: string; since: number }[];
  /** Attempts finished and failed since it started. */
  readonly done: number;
  readonly failed: number;
  /** Ms until the hash expires unless the worker beats again. */
  readonly expiresIn: number;
}

/** The workers of task queue `queue` whose heartbeat hash is still there. */
export async function listWorkers(client: Redis, queue: string): Promise<WorkerBeat[]> {
  const keys = new ExecutorKeys(queue, 'listWorkers(client, queue)');
  const ids = await client.smembers(keys.workers);
  if (ids.length === 0) return [];
  const batch = client.multi();
  for (const id of ids) batch.hgetall(keys.worker(id)).pttl(keys.worker(id));
  const replies = (await batch.exec()) as [Error | null, unknown][];
  const beats: WorkerBeat[] = [];
  const gone: string[] = [];
  ids.forEach((id, i) => {
    const hash = replies[2 * i]![1] as Record<string, string> | null;
    const ttl = Number(replies[2 * i + 1]![1]);
    if (!hash || hash.heartbeat === undefined) {
      gone.push(id);
      return;
    }
    beats.push({
      id,
      host: hash.host ?? '',
      pid: Number(hash.pid),
      queue,
      mode: hash.mode ?? '',
      concurrency: Number(hash.concurrency),
      started: Number(hash.started),
      heartbeat: Number(hash.heartbeat),
      state: hash.state ?? '',
      current: parseCurrent(hash.current),
      done: Number(hash.done ?? 0),
      failed: Number(hash.failed ?? 0),
      expiresIn: ttl,
    });
  });
  if (gone.length > 0) await client.srem(keys.workers, ...gone);
  return beats.sort((a, b) => a.started - b.started || a.id.localeCompare(b.id));
}

function parseCurrent(text: string | undefined): WorkerBeat['current'] {
  try {
    const list = JSON.parse(text ?? '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}
