/**
 * What `RedisLock` and `RedisSemaphore` share: a line of waiters in Redis (wait-line.ts),
 * the leases held (held-leases.ts), acquire / tryAcquire / guard, and closing.
 * @module
 */
import { refuseWait, type WaitOptions } from '../core/options.js';
import { RuntimeError } from '../errors.js';
import { guardOf } from '../sync/sync-handles.js';
import type { RedisConnection } from './connection.js';
import { type HeldLease, HeldLeases } from './held-leases.js';
import type { LuaScript } from './scripts.js';
import { type Entry, WaitLine } from './wait-line.js';

/** The Lua steps a leased primitive's line runs (each takes `try` or `wait`, or tokens). */
export interface LeasedScripts {
  acquire: LuaScript;
  poll: LuaScript;
  leave: LuaScript;
  renew: LuaScript;
}

/** How one primitive's keys and scripts are laid out. */
export interface LeasedLayout {
  /** The class name, for messages. */
  kind: string;
  name: string;
  lease: number;
  connection: RedisConnection;
  keys: string[];
  /** The ARGV every script starts with (the channel first). */
  args: string[];
  scripts: LeasedScripts;
  /** The place in line an acquire reply gives. */
  entryOf(reply: unknown): Entry;
}

/** A lock or semaphore held on leases in Redis, with a line of waiters. */
export abstract class LeasedPrimitive {
  /** Its name: every object of this class and name (and Redis) is the same primitive. */
  readonly name: string;
  /** The lease (ms). */
  readonly lease: number;
  protected readonly connection: RedisConnection;
  protected readonly held: HeldLeases;
  protected readonly line: WaitLine;
  readonly #layout: LeasedLayout;
  #closed = false;

  constructor(layout: LeasedLayout) {
    this.#layout = layout;
    this.name = layout.name;
    this.lease = layout.lease;
    this.connection = layout.connection;
    const { acquire, poll, leave, renew } = layout.scripts;
    this.held = new HeldLeases(layout.lease, (tokens) => this.run(renew, tokens) as never);
    this.line = new WaitLine(layout.connection, layout.args[0]!, layout.lease, {
      enqueue: async () => layout.entryOf(await this.run(acquire, ['wait'])),
      poll: async (tokens) => {
        const [next, ...states] = (await this.run(poll, tokens)) as [number, ...string[]];
        return { next, states };
      },
      leave: (token) => this.run(leave, [token]),
    });
  }

  /**
   * Waits and takes it. Resolves `true` once held, `false` when `timeout` ran out; rejects
   * with the signal's reason when aborted, leaving no trace in Redis.
   */
  async acquire(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) await refuseWait(opts, `${this.#layout.kind}.acquire`);
    this.checkOpen('acquire');
    if (opts?.timeout === 0) return this.tryAcquire();
    const grant = await this.line.wait(opts);
    if (grant === false) return false;
    this.held.add(grant);
    return true;
  }

  /** Takes it if it is free now and nobody waits; never waits. */
  async tryAcquire(): Promise<boolean> {
    this.checkOpen('tryAcquire');
    const entry = this.#layout.entryOf(await this.run(this.#layout.scripts.acquire, ['try']));
    if (entry.info === undefined) return false;
    this.held.add({ token: entry.token, info: entry.info });
    return true;
  }

  /** Gives back what this object holds. */
  abstract release(): Promise<void>;

  /**
   * Acquires and returns a guard that releases: `await using` (a lost lease throws
   * `LeaseLostError` at the end of the block) or `using` (which cannot wait: a lost lease
   * becomes a `HandleReleaseError` process warning). Rejects with `TimeoutError` when
   * `timeout` runs out.
   */
  guard(opts?: WaitOptions): Promise<Disposable & AsyncDisposable> {
    return guardOf(this, this.describe(), opts);
  }

  /**
   * Gives back what this object holds, ends its waits (they reject), and closes the
   * connections it opened. Later calls reject.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.line.close(this.closedError('acquire'));
    await this.giveBack(this.held.takeAll()).catch(() => {});
    await this.connection.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Releases the leases `close()` found held. */
  protected abstract giveBack(held: HeldLease[]): Promise<unknown>;

  /** A Redis error reply turned into what the user should see. */
  protected explain(error: unknown): unknown {
    return error;
  }

  /** `RedisLock("name")`, for messages. */
  protected describe(): string {
    return `${this.#layout.kind}(${JSON.stringify(this.name)})`;
  }

  protected async run(script: LuaScript, extra: string[]): Promise<unknown> {
    const { connection, keys, args } = this.#layout;
    try {
      return await script.run(connection.client, keys, [...args, ...extra]);
    } catch (error) {
      throw this.explain(error);
    }
  }

  protected checkOpen(call: string): void {
    if (this.#closed) throw this.closedError(call);
  }

  protected closedError(call: string): RuntimeError {
    return new RuntimeError(
      `${this.describe()}.${call}: the object was closed; make a new ${this.#layout.kind}`,
    );
  }
}
