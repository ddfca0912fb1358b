/**
 * A handle on an `Exchange` living in another thread or process.
 * @module
 */
import { RuntimeError } from '../errors.js';
import { Handle } from '../remote/handle.js';

/** What can subscribe through an exchange handle: whatever can cross to the exchange's thread. */
export type HandleSubscriber = object;

const NO_ARGS: readonly unknown[] = [];
let nextToken = 1;

/**
 * A handle on an `Exchange` in another thread. Subscribers attached through it must be
 * able to cross to the exchange's thread: a weft `Queue` or `Actor` (or a handle on one)
 * does, and receives there as a handle; a plain object with a `send` method does not.
 * What a handle attached is detached when the handle goes away.
 */
export class ExchangeHandle<M = unknown> extends Handle {
  /** Numbers by which the owner knows the subscribers this handle sent it. */
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;

  /** The exchange's name. */
  get name(): string {
    return this.link.info.name ?? this.link.info.className;
  }

  /** How many subscribers are attached. */
  get size(): Promise<number> {
    return this.link.call('size', NO_ARGS) as Promise<number>;
  }

  /** Delivers `msg` to every subscriber; rejects as the exchange's `send` does. */
  send(msg: M): Promise<void> {
    return this.link.call('send', [msg]) as Promise<void>;
  }

  attach(subscriber: HandleSubscriber): Promise<void> {
    const fresh: object[] = [];
    return this.sending(this.link.call('attach', this.named(subscriber, fresh)), fresh);
  }

  detach(subscriber: HandleSubscriber): Promise<void> {
    const id = this.ids.get(subscriber);
    if (id === undefined) {
      return Promise.reject(
        new RuntimeError(`${this.name}.detach(): that subscriber is not attached`),
      );
    }
    return this.link.call('detach', [id]) as Promise<void>;
  }

  has(subscriber: HandleSubscriber): Promise<boolean> {
    const id = this.ids.get(subscriber);
    if (id === undefined) return Promise.resolve(false);
    return this.link.call('has', [id]) as Promise<boolean>;
  }

  /**
   * Attaches the subscribers; the returned guard detaches what this call attached (`using`
   * without waiting for the owner, `await using` waiting for it). Resolves once attached.
   */
  async subscribe(...subscribers: HandleSubscriber[]): Promise<Disposable & AsyncDisposable> {
    const token = nextToken++;
    const fresh: object[] = [];
    const pairs = subscribers.map((subscriber) => this.named(subscriber, fresh));
    await this.sending(this.link.call('subscribe', [token, pairs]), fresh);
    let disposed = false;
    const unsubscribe = (): Promise<void> | undefined => {
      if (disposed) return undefined;
      disposed = true;
      return this.link.call('unsubscribe', [token]) as Promise<void>;
    };
    return {
      [Symbol.dispose]() {
        // The owner detaches them when it answers; nothing more can fail here.
        unsubscribe()?.catch(() => {});
      },
      async [Symbol.asyncDispose]() {
        await unsubscribe();
      },
    };
  }

  /**
   * `[id, subscriber]` for the owner: the subscriber itself only the first time it is sent
   * (then it is added to `fresh`).
   */
  private named(subscriber: HandleSubscriber, fresh: object[]): [number, unknown] {
    if (subscriber === null || typeof subscriber !== 'object') {
      // Let the owner's exchange refuse it with its own message.
      return [0, subscriber];
    }
    let id = this.ids.get(subscriber);
    if (id !== undefined) return [id, undefined];
    id = this.nextId++;
    this.ids.set(subscriber, id);
    fresh.push(subscriber);
    return [id, subscriber];
  }

  /** A call that sent `fresh` subscribers: if it fails, they are sent again next time. */
  private async sending(call: Promise<unknown>, fresh: object[]): Promise<void> {
    try {
      await call;
    } catch (err) {
      for (const subscriber of fresh) this.ids.delete(subscriber);
      throw err;
    }
  }
}
