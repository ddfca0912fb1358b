/**
 * How a task queue's executor or a `RedisQueue` notices that Redis lost the queue's data — a
 * restart without persistence, a flush, the keys deleted: the queue's `epoch` key holds a
 * value set by the first step that found it absent. Every step that writes items or tasks
 * reads it (in the same script), and so does a check after each reconnection; a value other
 * than the one read before means the keys went away and were made afresh, so everything
 * written before is gone. Without persistence a restarted Redis is empty, so the key's loss
 * and the items' go together; a partial loss (an old RDB snapshot, `appendfsync everysec`)
 * that kept the key is not seen.
 * @module
 */
import type { Redis } from 'ioredis';

/** The epoch key of the object whose keys start with `prefix` (`weft:{queue:NAME}:epoch`). */
export function epochKey(prefix: string): string {
  return `${prefix}:epoch`;
}

/**
 * Lua that reads the epoch key `key` (a Lua expression: `KEYS[5]`), setting `candidate` (a
 * Lua expression: `ARGV[1]`) when it is absent; its value is the epoch read or set.
 */
export function epochLua(key: string, candidate: string): string {
  return `(redis.call('SET', ${key}, ${candidate}, 'NX', 'GET') or ${candidate})`;
}

/** @internal The epoch of one queue, as one client (an executor, a `RedisQueue`) saw it. */
export class QueueEpoch {
  #known: string | undefined;
  #candidates = 0;

  constructor(
    /** The `…:epoch` key. */
    readonly key: string,
    /** Unique to the client (its id): makes each candidate unique. */
    private readonly owner: string,
    /** Told when a value other than the one read before is seen. */
    private readonly onLoss: () => void,
  ) {}

  /** Whether a value was read yet. */
  get known(): boolean {
    return this.#known !== undefined;
  }

  /** A value to set should the key be absent, never offered before. */
  candidate(): string {
    return `${this.owner}.${(this.#candidates++).toString(36)}`;
  }

  /** Reads the key on `client` (setting a candidate when it is absent), as `seen`. */
  async check(client: Redis): Promise<void> {
    const candidate = this.candidate();
    const before = await client.call('SET', this.key, candidate, 'NX', 'GET');
    this.seen(before === null ? candidate : String(before));
  }

  /** Records `value` as read; one other than the value read before calls `onLoss`. */
  seen(value: string): void {
    const before = this.#known;
    this.#known = value;
    if (before !== undefined && before !== value) this.onLoss();
  }
}
