/**
 * The shutdown both servers share: check the timeout, wait for the running handlers, kill
 * those still running after it.
 * @module
 */
import { describe } from '../core/options.js';
import { CancelledError } from '../errors.js';
import { joinAll } from '../task/join-all.js';
import { currentTask } from '../task/spawn.js';
import type { Task } from '../task/task.js';
import type { Address } from './server-options.js';

/** Options of a server's `shutdown()`. */
export interface ServerShutdownOptions {
  /** How long running handlers may go on before they are killed, in ms (default 5000). */
  timeout?: number | undefined;
}

/** The checked timeout of `shutdown(opts)`; a TypeError for a bad one. */
export function shutdownTimeout(opts: ServerShutdownOptions | undefined): number {
  const timeout = opts?.timeout ?? 5000;
  if (typeof timeout !== 'number' || !(timeout >= 0)) {
    throw new TypeError(`shutdown({ timeout }): timeout must be ms >= 0, got ${describe(timeout)}`);
  }
  return timeout;
}

/**
 * Waits up to `timeout` ms for `tasks` to end, then kills the rest and waits for them as
 * long again: a handler that ignores its kill (awaiting something no signal reaches) is
 * left behind. A handler that shuts its own server down is not waited for.
 */
export async function stopHandlers(tasks: Iterable<Task<unknown>>, timeout: number): Promise<void> {
  const self = currentTask();
  const running = [...tasks].filter((task) => task !== self);
  await joinAll(running, { timeout });
  const reason = new CancelledError(
    `the server shut down; the handler ran longer than ${timeout} ms`,
  );
  const stuck = running.filter((task) => !task.ready());
  for (const task of stuck) void task.kill(reason);
  await joinAll(stuck, { timeout: Math.max(timeout, 100) });
}

/**
 * The lifecycle of socketserver's servers: `listen()`, `serveForever()`, an idempotent
 * `shutdown()`, `await using`. A subclass sets `bound` in its constructor and closes in
 * `close(timeout)`.
 */
export abstract class ServerLifecycle {
  /** @internal Resolves with the bound address, or rejects with the bind error. */
  protected bound!: Promise<Address>;
  /** @internal Set once shutdown began. */
  protected shuttingDown: Promise<void> | undefined = undefined;
  private ended!: () => void;
  private readonly closed = new Promise<void>((resolve) => {
    this.ended = resolve;
  });

  /** Resolves with the bound `[host, port]` once listening; rejects with the bind error. */
  listen(): Promise<Address> {
    return this.bound;
  }

  /** Resolves once the server has been shut down; rejects with the bind error if it never listened. */
  async serveForever(): Promise<void> {
    await this.bound;
    await this.closed;
  }

  /**
   * Stops accepting, waits up to `timeout` ms (default 5000) for the running handlers, kills
   * those still running, closes their connections and the server. Idempotent: every call
   * gives the same promise. A handler that calls it is not waited for (its connection is
   * closed with the others).
   */
  shutdown(opts: ServerShutdownOptions = {}): Promise<void> {
    if (this.shuttingDown === undefined) {
      let timeout: number;
      try {
        timeout = shutdownTimeout(opts);
      } catch (error) {
        return Promise.reject(error);
      }
      this.shuttingDown = this.close(timeout).then(this.ended);
    }
    return this.shuttingDown;
  }

  /** `await using server = ...` shuts it down at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /** @internal Binding failed: `serveForever` has nothing to wait for. */
  protected bindSettled(): void {
    // A bind error is the caller's through listen() or serveForever(), not unhandled.
    this.bound.catch(() => this.ended());
  }

  /** @internal Stops the server: handlers, connections, socket. */
  protected abstract close(timeout: number): Promise<void>;
}
