/**
 * `TaggedActor` — the Cookbook's tagged-message actor (recipe 12.10): a message
 * `[tag, ...payload]` calls the handler method named after its tag, with types that check
 * every tag/payload pair at compile time.
 * @module
 */
import { describe, type WaitOptions } from '../core/options.js';
import { Actor } from './actor.js';

/** Payload types by tag, e.g. `{ add: [number, number]; neg: [number] }`. */
export type TagMap<T> = { [K in keyof T]: unknown[] };

type Payload<P> = P extends unknown[] ? P : never;

/** The messages a `TaggedActor<T>` takes: `[tag, ...payload]` for each tag of `T`. */
export type TaggedMessage<T> = { [K in keyof T & string]: [K, ...Payload<T[K]>] }[keyof T & string];

/** The handler methods a `TaggedActor<T>` must have: one per tag, taking that tag's payload. */
export type TagHandlers<T> = { [K in keyof T & string]: (...payload: Payload<T[K]>) => unknown };

/** What `ask([tag, ...])` resolves with: what the handler method of `tag` returns (awaited). */
export type TagReply<Self, K extends PropertyKey> = Self extends {
  [P in K]: (...payload: never[]) => infer Reply;
}
  ? Awaited<Reply>
  : unknown;

/**
 * An actor whose messages are `[tag, ...payload]` tuples, each handled by the method named
 * after its tag. The type parameter lists the payload of every tag; `send` and `ask` accept
 * only those pairs, `start()` does not compile unless every tag has its method, and
 * `ask` resolves with the type that tag's method returns.
 *
 * Handler methods are the methods declared in your subclasses (not `Actor`'s own, not
 * `constructor`). A message with an unknown tag, or that is not such a tuple, is a
 * `TypeError`: `ask` rejects with it (the actor carries on); sent with `send`, it ends the
 * actor and `join()` rejects with it.
 *
 * @example
 * ```ts
 * class Calc extends TaggedActor<{ add: [number, number]; neg: [number] }> {
 *   add(a: number, b: number) { return a + b; }
 *   neg(x: number) { return -x; }
 * }
 * const calc = new Calc().start();
 * const sum: number = await calc.ask(['add', 2, 3]); // 5
 * await calc.send(['neg', 1]);
 * // calc.send(['add', 1]);  // compile error: 'add' takes [number, number]
 * ```
 */
export abstract class TaggedActor<T extends TagMap<T>> extends Actor<TaggedMessage<T>, unknown> {
  /** Starts the actor; compiles only when the class has a handler method for every tag. */
  override start(this: this & TagHandlers<T>): this {
    return Actor.prototype.start.call(this) as this;
  }

  /** Sends `[tag, ...payload]` and resolves with what the tag's handler method returns. */
  override ask<K extends keyof T & string>(
    msg: [K, ...Payload<T[K]>],
    opts?: WaitOptions,
  ): Promise<TagReply<this, K>> {
    return super.ask(msg as unknown as TaggedMessage<T>, opts) as Promise<TagReply<this, K>>;
  }

  /** Calls the handler method named after the message's tag with its payload. */
  protected override handle(msg: TaggedMessage<T>): unknown {
    if (!Array.isArray(msg) || typeof msg[0] !== 'string') {
      throw new TypeError(
        `${this.name}: a tagged message is an array [tag, ...payload] with a string tag, got ${describe(msg)}`,
      );
    }
    const tag: string = msg[0];
    const handlers = handlersOf(Object.getPrototypeOf(this));
    const method = handlers.get(tag);
    if (method === undefined) {
      const known = [...handlers.keys()].map((name) => JSON.stringify(name)).join(', ');
      throw new TypeError(
        `${this.name}: unknown tag ${JSON.stringify(tag)}; ${this.constructor.name} has handler methods for ${known || 'no tags'}`,
      );
    }
    return Reflect.apply(method, this, msg.slice(1));
  }
}

type Method = (...args: unknown[]) => unknown;

/** Handler methods by tag, per class: found once, by walking the prototypes below TaggedActor. */
const handlerTables = new WeakMap<object, Map<string, Method>>();

function handlersOf(proto: object): Map<string, Method> {
  let table = handlerTables.get(proto);
  if (table !== undefined) return table;
  table = new Map();
  for (
    let p: object | null = proto;
    p !== null && p !== TaggedActor.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    for (const name of Object.getOwnPropertyNames(p)) {
      // Actor's own methods (send, close, run...) are never tags, even when a subclass overrides them.
      if (name === 'constructor' || name in TaggedActor.prototype || table.has(name)) continue;
      const value = Object.getOwnPropertyDescriptor(p, name)?.value;
      if (typeof value === 'function') table.set(name, value as Method);
    }
  }
  handlerTables.set(proto, table);
  return table;
}
