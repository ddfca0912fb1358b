/**
 * `Actor` — the Cookbook's actor task (recipe 12.10) as a weft task: a mailbox, a
 * `run()` that takes messages one at a time, and request/reply with `ask`.
 * @module
 */
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import { currentIdentity } from '../core/task-identity.js';
import { isThenable } from '../core/thenable.js';
import {
  ActorExit,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  TimeoutError,
} from '../errors.js';
import { Queue } from '../queue/queue.js';
import { spawn } from '../task/spawn.js';
import type { Task } from '../task/task.js';
import { type Envelope, type Mailbox, Request, SentEnvelope } from './mailbox.js';

/** What an actor built with `{ handler }` does with each message; its return value answers `ask`. */
export type ActorHandler<M, R> = (msg: M, actor: Actor<M, R>) => R | PromiseLike<R>;

/** Options of `new Actor()`. */
export interface ActorOptions<M, R> {
  /** Handles each message (instead of subclassing); what it returns answers `ask`. */
  handler?: ActorHandler<M, R> | undefined;
  /** Bound of the mailbox (an integer; `0`, the default, is unbounded). `send` waits while it is full. */
  mailboxSize?: number | undefined;
  /** A name for messages (`<ClassName>-<n>` unless given). */
  name?: string | undefined;
}

let nextActorId = 1;

/**
 * A task with a mailbox that acts on the messages sent to it, one at a time.
 *
 * Give it behaviour in one of three ways: subclass and implement `run()` with
 * `await this.recv()` (the Cookbook's form), subclass and implement `handle(msg)`, or pass
 * `{ handler }`. With `handle`/`handler`, what they return answers `ask()`; an error they
 * throw goes to the asker (the actor carries on), or, for a message sent with `send()`,
 * ends the actor and surfaces on `join()`. In `run()`, answer an asked message with
 * `this.reply(value)` before the next `recv()`, or take messages with `recvEnvelope()` to
 * answer them later.
 *
 * `close()` lets the mail already sent be delivered; then `recv()` throws `ActorExit`,
 * which ends `run()` quietly. When `run()` ends, by any cause, the actor is closed and
 * every ask still unanswered rejects.
 *
 * @example
 * ```ts
 * class PrintActor extends Actor<string> {
 *   override async run() {
 *     for (;;) console.log('Got:', await this.recv());
 *   }
 * }
 * const p = new PrintActor().start();
 * await p.send('Hello');
 * p.close();
 * await p.join(); // rethrows what run() threw, if anything
 *
 * const square = new Actor<number, number>({ handler: (x) => x * x }).start();
 * console.log(await square.ask(7, { timeout: 1000 })); // 49
 * ```
 */
export class Actor<M = unknown, R = unknown> implements AsyncDisposable {
  /** A name for messages. */
  readonly name: string;
  private readonly mailbox: Mailbox<M | Request<M, R>>;
  private readonly handler: ActorHandler<M, R> | undefined;
  private runner: Task<void> | undefined = undefined;
  private isClosed = false;
  /** The asked message `recv()` returned last, until answered. */
  private current: Request<M, R> | undefined = undefined;
  /** Asked messages taken with `recvEnvelope()` and not answered yet. */
  private held: Set<Request<M, R>> | undefined = undefined;

  constructor(options: ActorOptions<M, R> = {}) {
    if (options === null || typeof options !== 'object')
      throw new TypeError(
        `${new.target.name}(options): options must be an object, got ${describe(options)}`,
      );
    const { handler, mailboxSize = 0, name } = options;
    if (handler !== undefined && typeof handler !== 'function')
      throw new TypeError(
        `${new.target.name}: options.handler must be a function, got ${describe(handler)}`,
      );
    if (!Number.isInteger(mailboxSize) || mailboxSize < 0)
      throw new RangeError(
        `${new.target.name}: options.mailboxSize must be an integer >= 0 (0: unbounded), got ${describe(mailboxSize)}`,
      );
    this.name = name ?? `${new.target.name}-${nextActorId++}`;
    this.handler = handler;
    this.mailbox = new Queue<M | Request<M, R>>(mailboxSize);
  }

  /**
   * Starts `run()` as a weft task (so it has a task identity and can be killed through
   * `task`). Returns the actor, for `new X().start()`. An actor starts once.
   */
  start(): this {
    if (this.runner !== undefined)
      throw new RuntimeError(`${this.name}.start(): an actor can only be started once`);
    if (
      this.handler === undefined &&
      this.run === Actor.prototype.run &&
      this.handle === Actor.prototype.handle
    ) {
      throw new TypeError(
        `${this.name}.start(): the actor has nothing to do; implement run() or handle(msg) in a subclass, or pass { handler }`,
      );
    }
    this.runner = spawn(() => this.lifecycle());
    return this;
  }

  /**
   * Puts `msg` in the mailbox. Resolves at once unless a bounded mailbox is full; then it
   * waits for room (backpressure) and rejects with `QueueFull` if `timeout` runs out first.
   * Rejects with `RuntimeError` once the actor is closed (also a send still waiting for room).
   */
  send(msg: M, opts?: WaitOptions): Promise<void> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.name}.send`);
      if (refused) return refused;
    }
    if (this.isClosed) return Promise.reject(this.closedError('send'));
    if (!this.mailbox.full()) return this.mailbox.put(msg, opts);
    return this.mailbox.put(msg, opts).catch((err: unknown) => {
      throw err instanceof QueueShutDown ? this.closedError('send') : err;
    });
  }

  /** Puts `msg` in the mailbox if there is room now; throws `QueueFull` otherwise, `RuntimeError` once closed. */
  sendNowait(msg: M): void {
    if (this.isClosed) throw this.closedError('sendNowait');
    try {
      this.mailbox.putNowait(msg);
    } catch (err) {
      if (err instanceof QueueFull)
        throw new QueueFull(`${this.name}.sendNowait(): the mailbox is full`, { cause: err });
      throw err;
    }
  }

  /**
   * Sends `msg` and waits for the answer: what `handle`/`handler` returns, or what `run()`
   * passes to `reply`. Rejects with what they threw or passed to `fail`, with weft's
   * `TimeoutError` when no answer comes within `timeout` (which also covers waiting for
   * room in a full mailbox), with the signal's reason when aborted, and with `RuntimeError`
   * when the actor is closed or ends first. An ask that gives up before the actor took it
   * is withdrawn: the actor never sees it.
   */
  ask(msg: M, opts?: WaitOptions): Promise<R> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.name}.ask`);
      if (refused) return refused;
    }
    if (this.isClosed) return Promise.reject(this.closedError('ask'));
    const taskSignal = currentIdentity()?.signal;
    if (taskSignal?.aborted) return Promise.reject(taskSignal.reason);
    const request = new Request<M, R>(msg);
    const answer = request.park(null, opts, this.askTimedOut);
    if (request.settled) return answer; // timeout 0: there can be no answer without waiting
    if (!this.mailbox.full()) {
      this.mailbox.putNowait(request);
      return answer;
    }
    const putAbort = new AbortController();
    request.putAbort = putAbort;
    this.mailbox.put(request, { signal: putAbort.signal }).then(
      () => {
        request.putAbort = undefined;
      },
      (err: unknown) => {
        request.putAbort = undefined;
        request.reject(err instanceof QueueShutDown ? this.closedError('ask') : err);
      },
    );
    return answer;
  }

  /**
   * Closes the mailbox: later sends reject, the mail already in it is still delivered, and
   * then `recv()` throws `ActorExit`, which ends `run()` quietly. Idempotent.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.mailbox.shutdown();
  }

  /**
   * Waits for `run()` to end: `true` when it ended normally (or by `ActorExit`), `false` if
   * `timeout` ran out first; rejects with the error `run()` threw. Rejects with
   * `RuntimeError` if the actor was never started.
   */
  join(opts?: WaitOptions): Promise<boolean> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.name}.join`);
      if (refused) return refused;
    }
    const runner = this.runner;
    if (runner === undefined)
      return Promise.reject(
        new RuntimeError(`${this.name}.join(): the actor was never started; call start() first`),
      );
    return runner.join(opts).then((ended) => {
      if (!ended) return false;
      if (runner.successful()) return true;
      throw runner.exception;
    });
  }

  /** `await using actor = new X().start()`: closes the actor and joins it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    if (this.runner !== undefined) await this.join();
  }

  /** Whether `close()` was called or `run()` has ended: sends are refused. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Whether the actor was started and `run()` has not ended yet. */
  isAlive(): boolean {
    return this.runner !== undefined && !this.runner.ready();
  }

  /** The task that runs `run()` (`undefined` before `start()`); `actor.task.kill()` stops an actor stuck in its work. */
  get task(): Task<void> | undefined {
    return this.runner;
  }

  /** What `run()` threw, once it ended that way; else `undefined`. */
  get exception(): unknown {
    return this.runner?.exception;
  }

  /**
   * The actor's behaviour. The default takes each message with `recv()` and passes it to
   * `handle()`, answering asks with what it returns. Override it for full control.
   */
  protected async run(): Promise<void> {
    for (;;) {
      const msg = await this.recv();
      const request = this.current;
      try {
        let value = this.handle(msg);
        if (isThenable(value)) value = await value;
        if (request !== undefined && this.current === request) this.reply(value as R);
      } catch (err) {
        if (request === undefined) throw err; // a sent message: nobody else can take the error
        if (this.current === request) this.fail(err);
      }
    }
  }

  /** Handles one message for the default `run()`; calls the `handler` option unless overridden. */
  protected handle(msg: M): R | PromiseLike<R> {
    if (this.handler === undefined)
      throw new TypeError(
        `${this.name}: no handler; override handle(msg) or run(), or pass { handler }`,
      );
    return this.handler(msg, this);
  }

  /**
   * Takes the next message, waiting for one. Once the actor is closed and the mailbox
   * drained, rejects with `ActorExit`; with `QueueEmpty` when `timeout` runs out. An asked
   * message left unanswered by `reply`/`fail` is failed (with `RuntimeError`) by the next
   * `recv()`: use `recvEnvelope()` to answer later.
   */
  protected recv(opts?: WaitOptions): Promise<M> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.name}.recv`);
      if (refused) return refused;
    }
    if (this.current !== undefined) this.failUnanswered();
    const mailbox = this.mailbox;
    while (mailbox.qsize() > 0) {
      const item = mailbox.getNowait();
      if (!(item instanceof Request)) return Promise.resolve(item);
      if (!item.settled) {
        this.current = item;
        return Promise.resolve(item.msg);
      }
    }
    return this.takeSlowly(opts, 'recv').then((item) => {
      if (!(item instanceof Request)) return item;
      this.current = item;
      return item.msg;
    });
  }

  /** Like `recv()`, but gives the message in an envelope that can be answered at any later time. */
  protected recvEnvelope(opts?: WaitOptions): Promise<Envelope<M, R>> {
    if (opts !== undefined) {
      const refused = refuseWait(opts, `${this.name}.recvEnvelope`);
      if (refused) return refused;
    }
    if (this.current !== undefined) this.failUnanswered();
    return this.takeSlowly(opts, 'recvEnvelope').then((item) => {
      if (!(item instanceof Request)) return new SentEnvelope<M, R>(item);
      this.held ??= new Set();
      this.held.add(item);
      item.holder = this.held;
      return item;
    });
  }

  /**
   * Answers the message `recv()` returned last, if it was asked: `true` when an asker took
   * the answer, `false` otherwise (sent with `send`, already answered, or the asker gave up).
   */
  protected reply(value: R): boolean {
    const request = this.current;
    if (request === undefined) return false;
    this.current = undefined;
    return request.resolve(value);
  }

  /** Makes the `ask()` of the message `recv()` returned last reject with `error`; like `reply` otherwise. */
  protected fail(error: unknown): boolean {
    const request = this.current;
    if (request === undefined) return false;
    this.current = undefined;
    return request.reject(error);
  }

  /** The next live item, waiting for one; asks withdrawn by their askers are skipped. */
  private async takeSlowly(
    opts: WaitOptions | undefined,
    method: string,
  ): Promise<M | Request<M, R>> {
    const deadline = opts?.timeout === undefined ? undefined : performance.now() + opts.timeout;
    let wait = opts;
    for (;;) {
      let item: M | Request<M, R>;
      try {
        item = await this.mailbox.get(wait);
      } catch (err) {
        if (err instanceof QueueShutDown)
          throw new ActorExit(`${this.name} is closed and its mailbox is drained`);
        if (err instanceof QueueEmpty)
          throw new QueueEmpty(`${this.name}.${method}(): no message within the timeout`);
        throw err;
      }
      if (!(item instanceof Request) || !item.settled) return item;
      if (deadline !== undefined)
        wait = { signal: opts?.signal, timeout: Math.max(0, deadline - performance.now()) };
    }
  }

  private failUnanswered(): void {
    const request = this.current!;
    this.current = undefined;
    request.reject(
      new RuntimeError(
        `${this.name} took its next message without answering this ask; call this.reply(value) before the next recv(), or take messages with recvEnvelope() to answer later`,
      ),
    );
  }

  /** Runs `run()`; `ActorExit` ends it quietly. Whatever way it ends, the actor closes. */
  private async lifecycle(): Promise<void> {
    try {
      await this.run();
    } catch (err) {
      if (!(err instanceof ActorExit)) {
        this.ended(err);
        throw err;
      }
    }
    this.ended(undefined);
  }

  /** Closes the mailbox and fails every ask nobody will answer now. */
  private ended(failure: unknown): void {
    this.close();
    const unanswered = (): RuntimeError =>
      new RuntimeError(
        `${this.name} ended before answering this ask`,
        failure === undefined ? undefined : { cause: failure },
      );
    if (this.current !== undefined) {
      this.current.reject(unanswered());
      this.current = undefined;
    }
    if (this.held !== undefined) for (const request of [...this.held]) request.reject(unanswered());
    const mailbox = this.mailbox;
    while (mailbox.qsize() > 0) {
      const item = mailbox.getNowait();
      if (item instanceof Request) item.reject(unanswered());
    }
  }

  private closedError(method: string): RuntimeError {
    return new RuntimeError(
      `${this.name}.${method}(): the actor is closed, so the message would never be received`,
    );
  }

  private readonly askTimedOut = (): never => {
    throw new TimeoutError(`${this.name}.ask(): no answer within the timeout`);
  };
}
