/**
 * A handle on an `Actor` living in another thread or process.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { Handle } from '../remote/handle.js';

const NO_ARGS: readonly unknown[] = [];

/**
 * A handle on an `Actor` in another thread: send it messages and ask it questions; it
 * runs where it was started. `closed` shows the actor as of the handle's last answer.
 */
export class ActorHandle<M = unknown, R = unknown> extends Handle implements AsyncDisposable {
  /** The actor's name. */
  get name(): string {
    return this.link.info.name ?? this.link.info.className;
  }

  /** Whether the actor refuses sends (closed or ended), as of the last answer. */
  get closed(): boolean {
    return this.link.state.closed ?? false;
  }

  send(msg: M, opts?: WaitOptions): Promise<void> {
    return this.link.wait('send', [msg], opts) as Promise<void>;
  }

  sendNowait(msg: M): Promise<void> {
    return this.link.call('sendNowait', [msg]) as Promise<void>;
  }

  ask(msg: M, opts?: WaitOptions): Promise<R> {
    return this.link.wait('ask', [msg], opts) as Promise<R>;
  }

  close(): Promise<void> {
    return this.link.call('close', NO_ARGS) as Promise<void>;
  }

  join(opts?: WaitOptions): Promise<boolean> {
    return this.link.wait('join', NO_ARGS, opts) as Promise<boolean>;
  }

  isAlive(): Promise<boolean> {
    return this.link.call('isAlive', NO_ARGS) as Promise<boolean>;
  }

  /** `await using`: closes the actor and waits for it to end, as the actor's own does. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
    await this.join();
  }
}
