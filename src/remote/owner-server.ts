/**
 * The owner's side of a `'port'` handle: serves calls arriving on a `MessagePort` against
 * the real primitive, each one as the remote party that made it.
 *
 * Identity: every call names its party — the calling thread and the task inside it — and
 * runs under one stable `TaskIdentity` per party, so an `RLock` taken by a task in a
 * worker is re-entrant for that task and refused to everyone else, across all handles
 * that thread holds. Waits carry the caller's timeout and are withdrawn by a cancel
 * message (or when the handle goes away) through an `AbortController`, so the primitive's
 * own no-trace guarantees apply unchanged.
 *
 * A party that dies gives back what it held: an answer that hands something over (a queue
 * item) is kept until the handle confirms it arrived, and goes back if the connection ends
 * first or the answer cannot be sent; when a thread's last connection to the primitive
 * closes, the kind's `giveBack` returns its lock (marked abandoned) or its permits.
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import { decodeValues, encodeValue } from '../codec/codec.js';
import { whenDecodable } from '../codec/decodable.js';
import type { LiveState } from '../codec/descriptor.js';
import { encodeError } from '../codec/error-codec.js';
import type { WaitOptions } from '../core/options.js';
import { runAsIdentity, type TaskIdentity } from '../core/task-identity.js';
import { isThenable } from '../core/thenable.js';
import { destinationOf, type Endpoint } from './endpoint.js';
import { disconnectValue } from './handle.js';
import { Outbox, receiveAll } from './outbox.js';
import type { CallMessage, Confirmations, Reply, ToOwner } from './protocol.js';
import { type Reach, RemoteThread } from './remote-parties.js';
import {
  ALL_KEPT,
  type ConnectionScope,
  keepDelivered,
  type MethodSpec,
  type ServedKind,
} from './served-kind.js';

/** The abort reason of a wait withdrawn for its handle: recognised, and answered as `cancelled`. */
const WITHDRAWN: unique symbol = Symbol('weft.handle.withdrawn');

/**
 * What a successful answer left held: what it hands over (kept until the handle confirms
 * it arrived), or what its call took (a lock), undone if the answer cannot be sent.
 */
interface Delivery {
  readonly spec: MethodSpec<unknown>;
  readonly identity: TaskIdentity;
  value: unknown;
  /** Units its call took for the thread (`MethodSpec.takes`), given back if it is not sent. */
  readonly taken: number;
}

/** What an answer in the outbox leaves to undo if it cannot be sent (or the error it reports). */
type Sent = Delivery | { readonly thrown: unknown };

/** Starts serving `target` (of `kind`) on `port` (a `MessagePort`, or a socket channel). */
export function serve(target: unknown, kind: ServedKind, port: Endpoint): void {
  new ServerConnection(target, kind, port);
}

/** One handle's connection to its primitive. */
class ServerConnection implements ConnectionScope {
  readonly objects = new Map<number, unknown>();
  private readonly pending = new Map<number, AbortController>();
  private cleanups: (() => void)[] | undefined = undefined;
  private thread: RemoteThread | undefined = undefined;
  private reach: Reach | undefined = undefined;
  /** Answers that hand something over, by call id, until the handle confirms them. */
  private readonly deliveries = new Map<number, Delivery>();
  private closed = false;
  /**
   * Closed: what was handed over and never confirmed, to give back once the waits withdrawn
   * at the close have settled (see `close`).
   */
  private returning: Delivery[] | undefined = undefined;
  /**
   * Messages that arrived while a call waited for the portable classes of its arguments to
   * load: served after it, in order (a `put` never overtakes an earlier one).
   */
  private backlog: ToOwner[] | undefined = undefined;
  /** Answers of this turn, sent as one message; what each leaves to undo if it is not sent. */
  private readonly outbox: Outbox<Reply, Sent>;
  /** The state last sent to the handle: an answer carries the state only when it changed. */
  private sentState: LiveState | undefined = undefined;
  private readonly receiveEach = (message: ToOwner): void => this.receive(message);

  constructor(
    private readonly target: unknown,
    private readonly kind: ServedKind,
    private readonly port: Endpoint,
  ) {
    this.outbox = new Outbox(port, (reply, _error, sent) => this.unsent(reply, sent));
    port.on('message', (messages: ToOwner | ToOwner[]) => receiveAll(messages, this.receiveEach));
    port.on('close', () => this.close());
    // Serving a handle never keeps the owner alive: when the owner ends, its handles fail.
    port.unref();
  }

  onClose(cleanup: () => void): void {
    (this.cleanups ??= []).push(cleanup);
  }

  private receive(message: ToOwner): void {
    if (this.backlog !== undefined) {
      this.backlog.push(message);
      return;
    }
    const classes = message.op === 'call' ? whenDecodable(message.args) : undefined;
    if (classes !== undefined) {
      const confirmed = (message as CallMessage).confirmed;
      if (confirmed !== undefined) this.confirm(confirmed);
      this.backlog = [];
      classes
        .then(
          () => this.call(message as CallMessage),
          (err: unknown) => this.fail((message as CallMessage).id, err),
        )
        .then(() => this.serveBacklog());
      return;
    }
    switch (message.op) {
      case 'call':
        if (message.confirmed !== undefined) this.confirm(message.confirmed);
        this.call(message);
        break;
      case 'confirm':
        this.confirm(message.ids);
        break;
      case 'return':
        this.giveBack(message.ids);
        break;
      case 'cancel':
        this.pending.get(message.id)?.abort(WITHDRAWN);
        break;
      case 'hello':
        this.greet(message.thread);
        break;
      case 'attach':
        serve(this.target, this.kind, message.port);
        break;
    }
  }

  private serveBacklog(): void {
    const backlog = this.backlog!;
    this.backlog = undefined;
    for (let i = 0; i < backlog.length; i++) {
      if (this.backlog !== undefined) {
        // Another call waits for its classes now: the rest stay behind it.
        (this.backlog as ToOwner[]).push(...backlog.slice(i));
        return;
      }
      this.receive(backlog[i]!);
    }
  }

  private greet(key: string): void {
    if (this.thread !== undefined || this.closed) return;
    const { thread, reach } = RemoteThread.connect(key, this.target as object);
    this.thread = thread;
    this.reach = reach;
  }

  /** The handle got these answers: what they handed over is the caller's now. */
  private confirm(entries: Confirmations): void {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      // `id` kept whole, or `-id, count`: the next `count` pieces of an array answer.
      const id = entry > 0 ? entry : -entry;
      const count = entry > 0 ? undefined : entries[++i]!;
      const delivery = this.deliveries.get(id);
      if (delivery === undefined) continue;
      const left = keepDelivered(delivery.spec, this.target, delivery.value, count);
      if (left === ALL_KEPT) this.deliveries.delete(id);
      else delivery.value = left;
    }
  }

  /**
   * The handle did not use what these answers handed over: it goes back, the latest first,
   * so that the earliest ends up in front, where it was.
   */
  private giveBack(ids: readonly number[]): void {
    const returned: Delivery[] = [];
    for (const id of ids) {
      const delivery = this.deliveries.get(id);
      if (delivery === undefined) continue;
      this.deliveries.delete(id);
      returned.push(delivery);
    }
    this.orphanAll(returned);
  }

  /** Closed: gives back what the connection held once no wait of it is left to settle. */
  private giveBackWhenSettled(): void {
    const returning = this.returning;
    if (returning === undefined || this.pending.size > 0) return;
    this.returning = undefined;
    this.orphanAll(returning);
  }

  /** Undoes `deliveries` (in the order they were answered), the latest first. */
  private orphanAll(deliveries: readonly Delivery[]): void {
    for (let i = deliveries.length - 1; i >= 0; i--) {
      const { spec, identity, value } = deliveries[i]!;
      this.orphan(spec, identity, value, false);
    }
  }

  private call(message: CallMessage): void {
    const { id, method } = message;
    const methods = this.kind.methods;
    const spec = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (spec === undefined) {
      this.fail(id, new TypeError(`${this.className}: a handle cannot call ${method}()`));
      return;
    }
    let opts: WaitOptions | undefined;
    if (spec.waits) {
      // Every wait can be withdrawn: by the caller's cancel, or when the handle goes away.
      const controller = new AbortController();
      // Withdrawn already: by the caller, or by the handle going away while it waited in the backlog.
      if (message.aborted || this.closed) controller.abort(WITHDRAWN);
      this.pending.set(id, controller);
      opts = { timeout: message.timeout, signal: controller.signal };
    }
    const identity = this.identity(message.party);
    let result: unknown;
    let args: unknown[];
    try {
      args = decodeValues(message.args);
      result = runAsIdentity(identity, () => spec.run(this.target, args, opts, this));
    } catch (err) {
      this.fail(id, err);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.succeed(id, value, spec, identity, args),
        (err: unknown) => {
          if (err === WITHDRAWN && this.closed) this.orphan(spec, identity, undefined, true);
          this.fail(id, err);
        },
      );
    } else this.succeed(id, result, spec, identity, args);
  }

  private identity(task: number): TaskIdentity {
    if (this.thread === undefined) this.greet('unknown');
    return this.thread!.identity(task);
  }

  private succeed(
    id: number,
    value: unknown,
    spec: MethodSpec<unknown>,
    identity: TaskIdentity,
    args: unknown[],
  ): void {
    this.pending.delete(id);
    if (this.closed) {
      // Taken after everything the connection held: given back first, so it ends up behind it.
      if (spec.delivers && this.returning !== undefined) {
        this.returning.push({ spec, identity, value, taken: 0 });
      } else this.orphan(spec, identity, value, false);
      this.giveBackWhenSettled();
      return;
    }
    let encoded: { value: unknown; transfer: Transferable[] };
    try {
      encoded = encodeValue(
        value,
        `${this.className} (answer to a handle)`,
        destinationOf(this.port),
      );
    } catch (err) {
      // Nothing reaches the caller, so nothing may stay taken: the item goes back, the lock is released.
      this.orphan(spec, identity, value, false);
      this.fail(id, err);
      return;
    }
    const reply: Reply = this.withState(
      spec.delivers
        ? { id, ok: true, value: encoded.value, confirm: true }
        : { id, ok: true, value: encoded.value },
    );
    const takes = spec.takes;
    const taken = takes !== undefined && this.reach !== undefined ? takes(value, args) : 0;
    if (taken !== 0) this.reach!.taken = Math.max(0, this.reach!.taken + taken);
    let delivery: Delivery | undefined;
    if (spec.delivers || spec.orphaned !== undefined || taken !== 0) {
      delivery = { spec, identity, value, taken };
      if (spec.delivers) this.deliveries.set(id, delivery);
    }
    this.outbox.post(reply, encoded.transfer, delivery);
  }

  /**
   * An answer could not be sent: nothing reaches the caller, so nothing may stay taken (the
   * item goes back, the lock is released), and the caller hears why instead.
   */
  private unsent(reply: Reply, sent: Sent | undefined): void {
    // The state it carried may not have arrived: the next answer carries it again.
    this.sentState = undefined;
    if (sent !== undefined && 'thrown' in sent) {
      // The thrown value itself cannot cross: send what can be said about it.
      this.outbox.post({
        id: reply.id,
        ok: false,
        error: encodeError(
          new TypeError(`${this.className}: the call failed with ${String(sent.thrown)}`),
        ),
      });
      return;
    }
    if (sent !== undefined) {
      this.deliveries.delete(reply.id);
      if (sent.taken !== 0 && this.reach !== undefined) {
        this.reach.taken = Math.max(0, this.reach.taken - sent.taken);
      }
      this.orphan(sent.spec, sent.identity, sent.value, false);
    }
    if ('ok' in reply && reply.ok) {
      this.fail(
        reply.id,
        new TypeError(`${this.className}: the answer could not be sent to the handle`),
      );
    }
  }

  /** Nobody will see the outcome of a call: undo what it left held for its party. */
  private orphan(
    spec: MethodSpec<unknown>,
    identity: TaskIdentity,
    value: unknown,
    withdrawn: boolean,
  ): void {
    const orphaned = spec.orphaned;
    if (orphaned === undefined) return;
    try {
      runAsIdentity(identity, () => orphaned(this.target, value, withdrawn));
    } catch {
      // Already given back some other way; nothing is left to undo.
    }
  }

  private fail(id: number, err: unknown): void {
    this.pending.delete(id);
    if (this.closed) {
      this.giveBackWhenSettled();
      return;
    }
    if (err === WITHDRAWN) {
      this.outbox.post(this.withState({ id, cancelled: true }));
      return;
    }
    this.outbox.post(this.withState({ id, ok: false, error: encodeError(err) }), undefined, {
      thrown: err,
    });
  }

  /**
   * `reply` with the primitive's state when the handle does not have it yet; without a
   * `state` property otherwise (a frame with no `undefined` in it goes as JSON: frame-body.ts).
   */
  private withState<R extends Reply>(reply: R): R {
    const state = this.state();
    if (state !== undefined) (reply as { state?: LiveState }).state = state;
    return reply;
  }

  /** The primitive's state, when the handle does not have it yet (answers go out in order). */
  private state(): LiveState | undefined {
    const state = this.kind.state?.(this.target);
    if (state === undefined) return undefined;
    const sent = this.sentState;
    if (sent !== undefined && sameState(sent, state)) return undefined;
    this.sentState = state;
    return state;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    // Withdraw every wait still parked for this handle: no item or permit goes to a party that is gone.
    for (const controller of this.pending.values()) controller.abort(WITHDRAWN);
    // What was handed over and never confirmed goes back, in order, once those waits have
    // settled: one whose answer was already on its way took its item after all of these
    // (a batch taken in the turn the connection closed), so it must go back first.
    this.returning = [...this.deliveries.values()];
    this.deliveries.clear();
    this.giveBackWhenSettled();
    const cleanups = this.cleanups;
    this.cleanups = undefined;
    if (cleanups !== undefined) for (const cleanup of cleanups) cleanup();
    for (const object of this.objects.values()) disconnectValue(object);
    this.objects.clear();
    // The thread's last handle on the target is gone: what it still held comes back.
    const gone = this.thread?.disconnect(this.target as object);
    if (gone !== undefined) this.kind.giveBack?.(this.target, gone);
  }

  private get className(): string {
    return this.kind.info(this.target).className;
  }
}

/** Whether two states of a primitive say the same (they are flat: a few flags and numbers). */
function sameState(a: LiveState, b: LiveState): boolean {
  for (const key in b) if (a[key as keyof LiveState] !== b[key as keyof LiveState]) return false;
  for (const key in a) if (!(key in b)) return false;
  return true;
}
