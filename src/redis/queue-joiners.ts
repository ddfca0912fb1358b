/**
 * The joins of one `RedisQueue` object waiting in this process, and how they learn that Redis
 * lost the queue. A look counts the items not yet acknowledged and reads the queue's epoch
 * (queue-epoch.ts) in one step, once for every join waiting: when it finds none unfinished
 * under the epoch read before, every join waiting resolves. A look is made when a join starts
 * and whenever something may have changed — a `done` or `shutdown` notification, the
 * subscription coming back after a reconnection, an acknowledgement of this object.
 *
 * An epoch other than the one read before — by a look, or by a put (the add script reads it
 * too) — means the queue's keys went away and were made afresh (a restart without
 * persistence, the keys deleted): the items the joins waited for were lost, not
 * acknowledged, so every join waiting at that moment rejects with `QueueStateLostError`
 * instead of resolving on the new server's count. A join made after that counts what the new
 * server holds.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { QueueStateLostError } from '../errors.js';
import type { RedisConnection } from './connection.js';
import { LocalWaiter } from './local-waiter.js';
import { epochLua, type QueueEpoch } from './queue-epoch.js';
import { LuaScript } from './scripts.js';

/**
 * KEYS: stream, epoch. ARGV: the epoch to set when absent. Returns `{ entries not yet
 * acknowledged, the epoch read or set }`.
 */
const LOOK = new LuaScript(
  'queue join look',
  `return { redis.call('XLEN', KEYS[1]), ${epochLua('KEYS[2]', 'ARGV[1]')} }`,
);

/** How a joiner list reports to its queue. */
export interface JoinerHooks {
  /** The error for calls after `close()`, or `undefined` while open. */
  closedError(): Error | undefined;
  readonly where: string;
}

/** The waiting joins of one queue object. */
export class QueueJoiners {
  readonly #connection: RedisConnection;
  readonly #keys: readonly string[];
  readonly #epoch: QueueEpoch;
  readonly #hooks: JoinerHooks;
  readonly #waiting = new Set<LocalWaiter<boolean>>();
  #looking = false;
  #lookAgain = false;
  /** How many losses were noticed: a look during which this changed was waiting at a loss. */
  #losses = 0;

  /** `epoch` (whose loss this list must hear: {@link QueueJoiners.lost}) is read by every look. */
  constructor(connection: RedisConnection, stream: string, epoch: QueueEpoch, hooks: JoinerHooks) {
    this.#connection = connection;
    this.#keys = [stream, epoch.key];
    this.#epoch = epoch;
    this.#hooks = hooks;
  }

  /**
   * Whether every item put was acknowledged, after one look (a join that does not wait).
   * Rejects with `QueueStateLostError` when a loss was noticed while it looked.
   */
  async now(): Promise<boolean> {
    const losses = this.#losses;
    const unfinished = await this.#look();
    if (this.#losses !== losses) throw this.#lostError();
    return unfinished === 0;
  }

  /** Waits (options already checked) until a look finds every item acknowledged. */
  wait(opts: WaitOptions | undefined): Promise<boolean> {
    const closed = this.#hooks.closedError();
    if (closed !== undefined) return Promise.reject(closed);
    const waiter = new LocalWaiter<boolean>(opts, () => {
      this.#waiting.delete(waiter);
      if (waiter.gaveUp?.timedOut) waiter.resolve(false);
      else waiter.reject(waiter.gaveUp?.timedOut === false ? waiter.gaveUp.reason : undefined);
    });
    this.#waiting.add(waiter);
    this.check();
    return waiter.promise;
  }

  /** Something may have changed: looks again, once for every join waiting now. */
  check(): void {
    if (this.#waiting.size === 0 || this.#hooks.closedError() !== undefined) return;
    if (this.#looking) {
      // A change came while a look was on its way: that look may predate it.
      this.#lookAgain = true;
      return;
    }
    this.#looking = true;
    this.#lookAgain = false;
    const done = () => {
      this.#looking = false;
      if (this.#lookAgain) this.check();
    };
    this.#look().then((unfinished) => {
      // A loss this look noticed has rejected the joins already.
      if (unfinished === 0) {
        for (const waiter of this.#waiting) waiter.resolve(true);
        this.#waiting.clear();
      }
      done();
    }, done);
  }

  /** Redis lost the queue (the epoch changed): every join waiting now rejects. */
  lost(): void {
    this.#losses++;
    if (this.#waiting.size > 0) this.rejectAll(this.#lostError());
  }

  /** Rejects every waiting join with `error`. */
  rejectAll(error: unknown): void {
    for (const waiter of this.#waiting) waiter.reject(error);
    this.#waiting.clear();
  }

  /** The unfinished items, reading the epoch in the same step (it reports a loss itself). */
  async #look(): Promise<number> {
    await this.#connection.ready();
    const [unfinished, epoch] = (await LOOK.run(this.#connection.client, this.#keys, [
      this.#epoch.candidate(),
    ])) as [number, string];
    this.#epoch.seen(String(epoch));
    return Number(unfinished);
  }

  #lostError(): QueueStateLostError {
    return new QueueStateLostError(
      `${this.#hooks.where}.join(): the items put before Redis lost the queue were lost, not ` +
        "acknowledged: Redis restarted without persistence (or the queue's keys were deleted) " +
        'while this join waited; `appendonly yes` in redis.conf keeps them across Redis ' +
        'restarts. A join made now counts what the new server holds: put the lost items again ' +
        'if they must be processed.',
    );
  }
}
