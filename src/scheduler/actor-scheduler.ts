/**
 * `ActorScheduler` — the Python Cookbook's generator actors (recipe 12.12): named
 * generators that receive messages with `const msg = yield`, driven by one message queue
 * and a loop, so actors that message each other (or themselves) any number of times never
 * grow the stack.
 * @module
 */
import { describe, type WaitOptions } from '../core/options.js';
import { isThenable } from '../core/thenable.js';
import { RuntimeError } from '../errors.js';
import { Deque } from '../queue/deque.js';
import { checkStarted, SchedulerBase, type SchedulerOptions } from './scheduler.js';

/** A generator actor: receives each message as the value of a `yield`. */
export type GeneratorActor<M> = Generator<unknown, unknown, M>;

class ActorRecord {
  alive = true;
  constructor(
    readonly name: string,
    readonly gen: GeneratorActor<unknown>,
  ) {}
}

/**
 * Delivers messages to named generator actors, one message per slice, in the order they
 * were sent (the Cookbook's `ActorScheduler`). `send` only queues: the receiver runs later,
 * from the scheduler's loop, never inside `send`.
 *
 * Type the messages per actor name with the type parameter, e.g.
 * `new ActorScheduler<{ printer: string; counter: number }>()`.
 *
 * - `newActor(name, gen)` queues the priming `next()` (the generator runs to its first
 *   `yield`); a name can hold one live actor at a time.
 * - An actor that returns is removed; mail still queued for it is dropped.
 * - Sending to a name with no live actor throws `RuntimeError`.
 * - An actor that throws is removed and `run()` rejects with its error at once; other mail
 *   stays queued and `run()` again delivers it.
 * - Actors are synchronous: one that yields a promise gets a `TypeError` thrown in at that
 *   `yield` (use `Actor` for asynchronous work).
 *
 * @example
 * ```ts
 * const sched = new ActorScheduler<{ printer: number; counter: number }>();
 * sched.newActor('printer', (function* (): Generator<void, void, number> {
 *   while (true) console.log('Got', yield);
 * })());
 * sched.newActor('counter', (function* (): Generator<void, void, number> {
 *   for (let n = yield; n > 0; n = yield) {
 *     sched.send('printer', n);
 *     sched.send('counter', n - 1);
 *   }
 * })());
 * sched.send('counter', 10_000);
 * await sched.run(); // true once no message is pending
 * ```
 */
export class ActorScheduler<
  Messages extends object = Record<string, unknown>,
> extends SchedulerBase {
  private readonly actors = new Map<string, ActorRecord>();
  /** Pending deliveries as flat pairs: actor, message, actor, message, ... */
  private readonly mail = new Deque<unknown>();

  constructor(options?: SchedulerOptions) {
    super(options, 'ActorScheduler');
  }

  /** Number of messages waiting to be delivered (priming included). */
  get pending(): number {
    return this.mail.length / 2;
  }

  /** Whether a live actor has this name. */
  has(name: string): boolean {
    return this.actors.has(name);
  }

  /**
   * Admits a started generator under `name` (`newActor('printer', printer())`). Its priming
   * `next()` is queued like a message, so it runs in order with the mail.
   */
  newActor<K extends keyof Messages & string>(name: K, gen: GeneratorActor<Messages[K]>): void {
    if (typeof name !== 'string')
      throw new TypeError(`ActorScheduler.newActor: name must be a string, got ${describe(name)}`);
    checkStarted(
      gen,
      'ActorScheduler.newActor',
      'a generator',
      `newActor('${name}', ${(gen as { name?: string } | null)?.name || 'actor'}())`,
    );
    if (this.actors.has(name))
      throw new RuntimeError(
        `ActorScheduler.newActor: an actor named ${JSON.stringify(name)} is already running`,
      );
    const actor = new ActorRecord(name, gen as GeneratorActor<unknown>);
    this.actors.set(name, actor);
    this.deliver(actor, undefined);
  }

  /** Queues `msg` for the actor called `name`; throws `RuntimeError` if no live actor has that name. */
  send<K extends keyof Messages & string>(name: K, msg: Messages[K]): void {
    const actor = this.actors.get(name);
    if (actor === undefined)
      throw new RuntimeError(
        `ActorScheduler.send: no actor named ${JSON.stringify(name)} (it was never added, or it has finished)`,
      );
    this.deliver(actor, msg);
  }

  /**
   * Delivers messages until none is pending (resolves `true`), `stop()` is called or
   * `timeout` ms pass (resolves `false`; the rest stays queued for a later `run()`),
   * `signal` aborts (rejects with its reason) or an actor throws (rejects with that error).
   * Between deliveries the event loop gets a turn every `budget` ms.
   */
  run(opts?: WaitOptions): Promise<boolean> {
    return this.runLoop(opts, 'ActorScheduler.run');
  }

  private deliver(actor: ActorRecord, msg: unknown): void {
    this.mail.push(actor);
    this.mail.push(msg);
  }

  protected hasReady(): boolean {
    return this.mail.length > 0;
  }

  protected isIdle(): boolean {
    return this.mail.length === 0;
  }

  protected slice(): void {
    const actor = this.mail.shift() as ActorRecord;
    const msg = this.mail.shift();
    if (!actor.alive) return; // it finished after this was sent: nobody to deliver to
    let result: IteratorResult<unknown>;
    try {
      result = actor.gen.next(msg);
      while (!result.done && isThenable(result.value)) {
        result = actor.gen.throw(
          new TypeError(
            `actor ${JSON.stringify(actor.name)} yielded a promise; generator actors are synchronous ` +
              '(`const msg = yield` receives a message). Use Actor for asynchronous work.',
          ),
        );
      }
    } catch (err) {
      this.remove(actor);
      throw err;
    }
    if (result.done) this.remove(actor);
  }

  private remove(actor: ActorRecord): void {
    actor.alive = false;
    if (this.actors.get(actor.name) === actor) this.actors.delete(actor.name);
  }
}
