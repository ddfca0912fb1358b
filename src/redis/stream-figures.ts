/**
 * Read-only figures of a lease stream (lease-stream.ts), for the dashboard: what waits, what
 * is leased, how many entries were ever added and how many left, and the oldest entry's id.
 * Reads only: one MULTI of HMGET, XINFO STREAM and XINFO GROUPS, so the figures agree.
 * @module
 */
import type { Redis } from 'ioredis';
import { GROUP } from './lease-stream-scripts.js';

/** A lease stream's figures at one moment. */
export interface StreamFigures {
  /** Entries nobody holds: never delivered, or given back. */
  readonly waiting: number;
  /** Entries leased to a reader and not yet acknowledged. */
  readonly inFlight: number;
  /** Entries ever added (`undefined` on a Redis older than 7.0, which does not count them). */
  readonly added: number | undefined;
  /** Entries added and since acknowledged or dropped (`undefined` when `added` is). */
  readonly finished: number | undefined;
  /** The id of the oldest entry still in the stream (waiting or leased), or `undefined`. */
  readonly oldestId: string | undefined;
  /** `graceful` or `immediate` once shut down. */
  readonly shutDown: 'graceful' | 'immediate' | undefined;
}

/** The figures of the lease stream whose keys start with `prefix` (`weft:{queue:NAME}`). */
export async function streamFigures(client: Redis, prefix: string): Promise<StreamFigures> {
  const stream = `${prefix}:stream`;
  const replies = (await client
    .multi()
    .hmget(`${prefix}:meta`, 'ready', 'returned', 'shut')
    .call('XINFO', 'STREAM', stream)
    .call('XINFO', 'GROUPS', stream)
    .exec()) as [Error | null, unknown][];
  const [ready, returned, shut] = (replies[0]![1] ?? []) as (string | null)[];
  // XINFO fails on a stream that does not exist (yet, or any more): no entries then.
  const info = replies[1]![0] ? {} : fields(replies[1]![1]);
  const groups = replies[2]![0] ? [] : (replies[2]![1] as unknown[]).map(fields);
  const group = groups.find((g) => g.name === GROUP);
  const given = Number(returned ?? 0);
  const length = Number(info.length ?? 0);
  const added = info['entries-added'] === undefined ? undefined : Number(info['entries-added']);
  const first = info['first-entry'] as [string, unknown] | null | undefined;
  return {
    waiting: Number(ready ?? 0) + given,
    inFlight: Math.max(0, Number(group?.pending ?? 0) - given),
    added,
    finished: added === undefined ? undefined : added - length,
    oldestId: first ? String(first[0]) : undefined,
    shutDown: shut === 'graceful' || shut === 'immediate' ? shut : undefined,
  };
}

/** The milliseconds-since-the-epoch part of a stream id (`1700000000000-0`). */
export function streamIdTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** A flat `[name, value, name, value, …]` reply as an object. */
function fields(reply: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const list = Array.isArray(reply) ? reply : [];
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = list[i + 1];
  return out;
}
