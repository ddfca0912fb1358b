/**
 * Coalesces the messages one side of a handle's connection sends in one turn of the event
 * loop into one `postMessage` (one frame on a socket): a handle that makes many calls
 * without awaiting each, or an owner answering them, pays one message's fixed cost (a
 * structured clone or a V8 serialization, a wake-up of the other side, a socket write) for
 * the lot. The batch goes out once the current turn's synchronous code and microtasks are
 * done, so a lone call waits no longer than a microtask for it.
 *
 * On the wire a batch is an array of messages, a lone message goes as itself (protocol
 * messages are never arrays), so `receiveAll` reads both.
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import type { Endpoint } from './endpoint.js';

/** @internal How many messages and how many posts (frames) every outbox sent: for tests. */
export const outboxCounts = { messages: 0, posts: 0 };

/** What runs before any outbox sends (see `beforeFlush`). */
const flushHooks: (() => void)[] = [];

/**
 * Runs `hook` before any outbox of this thread sends: what a module owes an owner (a lock
 * loan's word on whether it is held) goes out no later than anything sent after it.
 */
export function beforeFlush(hook: () => void): void {
  flushHooks.push(hook);
}

/** Outboxes holding deferrable messages until the end of the turn. */
const deferredOutboxes = new Set<Outbox<unknown, unknown>>();
/** Outboxes holding messages until this turn's microtasks are done. */
const scheduledOutboxes = new Set<Outbox<unknown, unknown>>();
/** What runs before this thread blocks (see `beforeBlocking`). */
const blockingHooks: (() => void)[] = [];

/**
 * Runs `hook` before this thread blocks in a `*Sync` call: what a module holds for others (a
 * dict loan) goes back while the thread can still send.
 */
export function beforeBlocking(hook: () => void): void {
  blockingHooks.push(hook);
}

/**
 * This thread is about to block: runs the `beforeBlocking` hooks, then sends everything its
 * outboxes hold — a blocked thread's microtasks and turns do not run, so nothing would go.
 */
export function flushBeforeBlocking(): void {
  for (const hook of blockingHooks) hook();
  if (scheduledOutboxes.size > 0) {
    const outboxes = [...scheduledOutboxes];
    for (const outbox of outboxes) outbox.flush();
  }
  flushDeferred();
}

/**
 * Sends every deferrable message still held: a thread or process whose target ended sends
 * them before it says so (and exits).
 */
export function flushDeferred(): void {
  const outboxes = [...deferredOutboxes];
  deferredOutboxes.clear();
  for (const outbox of outboxes) outbox.flush();
}

/** Calls `receive` for each message of what arrived: a batch or a lone message. */
export function receiveAll<M>(arrived: M | M[], receive: (message: M) => void): void {
  if (!Array.isArray(arrived)) {
    receive(arrived);
    return;
  }
  for (const message of arrived) receive(message);
}

/**
 * The messages of one turn, sent together. Each may come with a `C`: what its sender needs
 * to know should that message not go (handed to `failed`).
 */
export class Outbox<M, C = undefined> {
  private messages: M[] = [];
  private contexts: (C | undefined)[] = [];
  /** What each message transfers, by index (most transfer nothing). */
  private transfers: (readonly Transferable[] | undefined)[] = [];
  private transferring = false;
  private scheduled = false;
  /** A flush is due at the end of this turn of the event loop (deferrable messages only). */
  private deferred = false;
  private readonly flushNow = (): void => this.flush();

  /**
   * `failed` hears of a message that could not be sent (its value cannot be cloned, its
   * endpoint is gone): the others of its batch are sent all the same.
   */
  constructor(
    private readonly endpoint: Endpoint,
    private readonly failed: (message: M, error: unknown, context: C | undefined) => void,
  ) {}

  /**
   * Queues `message` for the end of this turn's microtasks — or, `deferrable` (nobody
   * awaits its answer: a put under a credit), for the end of this turn of the event loop,
   * so that a loop of such calls goes as one frame. A message that is not deferrable sends
   * those before it with it.
   */
  post(message: M, transfer?: readonly Transferable[], context?: C, deferrable = false): void {
    this.messages.push(message);
    this.contexts.push(context);
    const transfers = transfer !== undefined && transfer.length > 0 ? transfer : undefined;
    this.transfers.push(transfers);
    if (transfers !== undefined) this.transferring = true;
    if (this.scheduled) return;
    if (deferrable) {
      if (!this.deferred) {
        this.deferred = true;
        deferredOutboxes.add(this as Outbox<unknown, unknown>);
        setImmediate(this.flushNow);
      }
      return;
    }
    this.scheduled = true;
    scheduledOutboxes.add(this as Outbox<unknown, unknown>);
    // A microtask, not setImmediate: as many calls per batch in the measured bursts, and
    // less CPU per sequential call across processes (no extra event-loop phase to wait for).
    queueMicrotask(this.flushNow);
  }

  /** Sends what is queued now (also before the endpoint closes, so nothing queued is lost). */
  flush(): void {
    if (this.scheduled) {
      this.scheduled = false;
      scheduledOutboxes.delete(this as Outbox<unknown, unknown>);
    }
    if (this.deferred) {
      this.deferred = false;
      deferredOutboxes.delete(this as Outbox<unknown, unknown>);
    }
    for (const hook of flushHooks) hook();
    // What other handles deferred was done before this: it goes first (a put under a credit
    // then a `done.put()` on another queue arrive in that order).
    if (deferredOutboxes.size > 0) flushDeferred();
    const messages = this.messages;
    if (messages.length === 0) return;
    const transfers = this.transfers;
    const transferring = this.transferring;
    const contexts = this.contexts;
    this.messages = [];
    this.contexts = [];
    this.transfers = [];
    this.transferring = false;
    const lone = messages.length === 1;
    try {
      this.send(lone ? messages[0] : messages, transferring ? allOf(transfers) : undefined);
      outboxCounts.messages += messages.length;
      return;
    } catch (error) {
      // Nothing of the batch went (a post is all or nothing): each goes on its own, so only
      // the message at fault fails.
      if (lone) {
        this.failed(messages[0]!, error, contexts[0]);
        return;
      }
    }
    for (let i = 0; i < messages.length; i++) {
      try {
        this.send(messages[i]!, transfers[i]);
        outboxCounts.messages++;
      } catch (error) {
        this.failed(messages[i]!, error, contexts[i]);
      }
    }
  }

  private send(value: unknown, transfer: readonly Transferable[] | undefined): void {
    this.endpoint.postMessage(value, transfer);
    outboxCounts.posts++;
  }
}

function allOf(transfers: (readonly Transferable[] | undefined)[]): Transferable[] {
  const all: Transferable[] = [];
  for (const transfer of transfers) if (transfer !== undefined) all.push(...transfer);
  return all;
}
