/**
 * `Exchange` and `getExchange` — the Cookbook's publish/subscribe exchange (recipe 12.11):
 * a message sent to the exchange goes to every attached subscriber.
 * @module
 */
import { describe } from '../core/options.js';
import { isThenable } from '../core/thenable.js';
import { RESOLVED_VOID } from '../core/waiter.js';
import { RuntimeError } from '../errors.js';

/**
 * Anything that takes messages: an object with `send(msg)` (an `Actor`, another
 * `Exchange`, your own class), or a queue with `put(msg)` (a weft `Queue`). What they
 * return may be a promise: a bounded actor mailbox or queue makes the exchange wait.
 */
export type Subscriber<M> = { send(msg: M): unknown } | { put(msg: M): unknown };

/** Called once per subscriber that failed to take a message, when given to the exchange. */
export type ExchangeErrorHandler<M> = (error: unknown, subscriber: Subscriber<M>, msg: M) => void;

/** Options of `new Exchange()`. */
export interface ExchangeOptions<M> {
  /** A name for messages (`getExchange` gives its key). */
  name?: string | undefined;
  /** Receives each subscriber's failure instead of `send` rejecting. */
  onError?: ExchangeErrorHandler<M> | undefined;
}

let nextExchangeId = 1;

/**
 * Fans each message out to every attached subscriber, in the order they were attached.
 *
 * `send(msg)` hands the message to each subscriber in turn, starting every delivery before
 * it awaits any (so consecutive sends reach each subscriber in order), then waits until
 * every subscriber has taken it. A subscriber that throws, or whose `send`/`put` promise
 * rejects, does not stop delivery to the others: the failures are reported after all were
 * served, to `onError` if the exchange has one, else by `send` rejecting with an
 * `AggregateError` whose `errors` are the subscribers' errors in attach order.
 *
 * @example
 * ```ts
 * const exc = getExchange<string>('news');
 * const log = new Actor<string>({ handler: (msg) => console.log('got', msg) }).start();
 * const inbox = new Queue<string>();
 * {
 *   using _sub = exc.subscribe(log, inbox); // detached again at the end of the block
 *   await exc.send('hello');
 * }
 * await exc.send('nobody hears this');
 * ```
 */
export class Exchange<M = unknown> {
  /** A name for messages. */
  readonly name: string;
  /** Receives subscribers' failures instead of `send` rejecting; may be set at any time. */
  onError: ExchangeErrorHandler<M> | undefined;
  private readonly subscribers = new Set<Subscriber<M>>();
  /** The subscribers in attach order, rebuilt after a change; `send` walks this snapshot. */
  private snapshot: Subscriber<M>[] | undefined = [];

  constructor(options: ExchangeOptions<M> = {}) {
    if (options === null || typeof options !== 'object')
      throw new TypeError(`Exchange(options): options must be an object, got ${describe(options)}`);
    if (options.onError !== undefined && typeof options.onError !== 'function')
      throw new TypeError(
        `Exchange: options.onError must be a function, got ${describe(options.onError)}`,
      );
    this.name = options.name ?? `Exchange-${nextExchangeId++}`;
    this.onError = options.onError;
  }

  /** Adds a subscriber (attaching one that is already attached changes nothing, as a set). */
  attach(subscriber: Subscriber<M>): void {
    deliveryOf(subscriber, `${this.name}.attach`);
    if (this.subscribers.has(subscriber)) return;
    this.subscribers.add(subscriber);
    this.snapshot = undefined;
  }

  /** Removes a subscriber; throws `RuntimeError` when it is not attached. */
  detach(subscriber: Subscriber<M>): void {
    if (!this.subscribers.delete(subscriber)) {
      throw new RuntimeError(
        `${this.name}.detach(): that subscriber (${describe(subscriber)}) is not attached`,
      );
    }
    this.snapshot = undefined;
  }

  /** Whether `subscriber` is attached. */
  has(subscriber: Subscriber<M>): boolean {
    return this.subscribers.has(subscriber);
  }

  /** How many subscribers are attached. */
  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Attaches the subscribers and returns a Disposable that detaches them again (for
   * `using`). Those already attached are left alone: disposing detaches only what this
   * call attached, and only if still attached. Disposing twice does nothing more.
   */
  subscribe(...subscribers: Subscriber<M>[]): Disposable {
    for (const subscriber of subscribers) deliveryOf(subscriber, `${this.name}.subscribe`);
    const added = subscribers.filter((subscriber, i) => {
      if (this.subscribers.has(subscriber) || subscribers.indexOf(subscriber) !== i) return false;
      this.attach(subscriber);
      return true;
    });
    let disposed = false;
    return {
      [Symbol.dispose]: () => {
        if (disposed) return;
        disposed = true;
        for (const subscriber of added) {
          if (this.subscribers.delete(subscriber)) this.snapshot = undefined;
        }
      },
    };
  }

  /**
   * Delivers `msg` to every subscriber attached now, in attach order, and resolves once all
   * have taken it. Subscriber failures are reported after everyone was served: to
   * `onError` when set (then `send` resolves), else `send` rejects with an `AggregateError`.
   * Await it (or set `onError`), as any promise that may reject.
   */
  send(msg: M): Promise<void> {
    this.snapshot ??= [...this.subscribers];
    const subscribers = this.snapshot;
    let failures: Failure<M>[] | undefined;
    let pending: Promise<void>[] | undefined;
    for (let i = 0; i < subscribers.length; i++) {
      const subscriber = subscribers[i]!;
      let result: unknown;
      try {
        result = deliver(subscriber, msg);
      } catch (error) {
        (failures ??= []).push({ index: i, subscriber, error });
        continue;
      }
      if (isThenable(result)) {
        const index = i;
        (pending ??= []).push(
          Promise.resolve(result).then(undefined, (error: unknown) => {
            (failures ??= []).push({ index, subscriber, error });
          }),
        );
      }
    }
    if (pending === undefined) {
      if (failures === undefined) return RESOLVED_VOID;
      return this.report(msg, failures, subscribers.length);
    }
    return Promise.all(pending).then(() =>
      failures === undefined ? undefined : this.report(msg, failures, subscribers.length),
    );
  }

  /** Hands failures to `onError`, or rejects with them all. */
  private report(msg: M, failures: Failure<M>[], served: number): Promise<void> {
    failures.sort((a, b) => a.index - b.index);
    const onError = this.onError;
    if (onError !== undefined) {
      try {
        for (const { error, subscriber } of failures) onError(error, subscriber, msg);
      } catch (err) {
        return Promise.reject(err);
      }
      return RESOLVED_VOID;
    }
    return Promise.reject(
      new AggregateError(
        failures.map((failure) => failure.error),
        `${this.name}.send(): ${failures.length} of ${served} subscribers failed to take the message (the others got it): ${failures
          .map(({ error }) =>
            error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          )
          .join('; ')}`,
      ),
    );
  }
}

interface Failure<M> {
  index: number;
  subscriber: Subscriber<M>;
  error: unknown;
}

/** Hands `msg` to one subscriber: `send` when it has one, else `put`. */
function deliver<M>(subscriber: Subscriber<M>, msg: M): unknown {
  const target = subscriber as { send?: unknown; put?: unknown };
  if (typeof target.send === 'function') return (subscriber as { send(msg: M): unknown }).send(msg);
  return (subscriber as { put(msg: M): unknown }).put(msg);
}

/** Checks at attach time that `subscriber` can take messages. */
function deliveryOf(subscriber: unknown, where: string): void {
  const target = subscriber as { send?: unknown; put?: unknown } | null;
  if (
    target === null ||
    (typeof target !== 'object' && typeof target !== 'function') ||
    (typeof target.send !== 'function' && typeof target.put !== 'function')
  ) {
    throw new TypeError(
      `${where}(): a subscriber needs a send(msg) method (an Actor, an Exchange) or a put(msg) method (a Queue), got ${describe(subscriber)}`,
    );
  }
}

const exchanges = new Map<string, Exchange<unknown>>();

/**
 * The one exchange of this name in this program (created at first use), so publishers and
 * subscribers meet by name without passing the object around.
 *
 * @example
 * ```ts
 * getExchange<string>('alerts').attach(new Queue<string>());
 * await getExchange<string>('alerts').send('disk full'); // the same exchange
 * ```
 */
export function getExchange<M = unknown>(name: string): Exchange<M> {
  if (typeof name !== 'string')
    throw new TypeError(`getExchange(name): name must be a string, got ${describe(name)}`);
  let exchange = exchanges.get(name);
  if (exchange === undefined) {
    exchange = new Exchange<unknown>({ name });
    exchanges.set(name, exchange);
  }
  return exchange as Exchange<M>;
}
