/**
 * How an executor notices that Redis lost its task queue's data — a restart without
 * persistence, a flush, the keys deleted: the queue's `epoch` key holds a value set by the
 * first submit that found it absent. Every submit step reads it (in the same script), and so
 * does a check after each reconnection; a value other than the one read before means the
 * keys went away and were made afresh, so every task written before is gone. Without
 * persistence a restarted Redis is empty, so the key's loss and the tasks' go together; a
 * partial loss (an old RDB snapshot, `appendfsync everysec`) that kept the key is not seen.
 * @module
 */
import type { Redis } from 'ioredis';

/** @internal The epoch of one task queue, as one executor saw it. */
export class QueueEpoch {
  #known: string | undefined;
  #candidates = 0;

  constructor(
    /** The `…:epoch` key. */
    readonly key: string,
    /** Unique to the executor (its client id): makes each candidate unique. */
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
