/**
 * The handle's side of a primitive that lives elsewhere: a `RemoteLink` reaches the owner
 * over an `Endpoint` — a `MessagePort` from another thread, a socket channel from another
 * process.
 *
 * A call carries the caller's party (its task inside this thread, 0 outside any task) and,
 * for a wait, its timeout. A signal stays here: when it aborts (or the calling task is
 * killed) the handle asks the owner to withdraw the wait and settles only with the
 * owner's answer — the rejection if the wait was withdrawn, the result if the owner had
 * already granted it — so nothing is ever taken and lost in between.
 * @module
 */

import { MessageChannel, type MessagePort, type Transferable, threadId } from 'node:worker_threads';
import { type Encoded, encodeValues } from '../codec/codec.js';
import { whenValueDecodable } from '../codec/decodable.js';
import type {
  Crossed,
  Destination,
  HandleInfo,
  HandleKind,
  LiveState,
} from '../codec/descriptor.js';
import { invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { currentIdentity } from '../core/task-identity.js';
import { HandleClosedError } from '../errors.js';
import { confirmThisTurn, unconfirmed } from './confirmations.js';
import { destinationOf, type Endpoint } from './endpoint.js';
import type { HandleLink, HeldAnswer } from './handle.js';
import { Outbox, receiveAll } from './outbox.js';
import { answer, PendingCall } from './pending-call.js';
import type { CallMessage, PortDescriptor, Reply, SocketDescriptor, ToOwner } from './protocol.js';
import { openChannel, tokenFor } from './socket-host.js';

/** `send` flags: the call may wait; its answer is held (`waitHeld`); it is made for the thread, not a task; it does not keep the thread alive. */
const WAITS = 1;
const HELD = 2;
const FOR_THREAD = 4;
const IDLE = 8;
/** Nobody awaits the answer before going on (a put under a credit): the call may go at the end of the turn. */
const DEFER = 16;

/** `values` as they are now: objects copied (primitives are values already). */
function snapshot(values: unknown[]): unknown[] {
  for (const value of values) {
    if (value !== null && typeof value === 'object') return structuredClone(values);
  }
  return values;
}

/** This thread among every thread that may reach an owner (processes included). */
const THREAD_KEY = `${process.pid}/${threadId}`;

/** A link to a primitive served by its owner on the other end of an `Endpoint`. */
export class RemoteLink implements HandleLink {
  state: LiveState;
  private nextId = 1;
  private readonly calls = new Map<number, PendingCall>();
  /** Calls pending that keep this thread alive (all but those made with `keepsAlive` false). */
  private keepingAlive = 0;
  private closedBy: string | undefined = undefined;
  /** Answers marked `confirm` that arrived and are not yet confirmed to the owner. */
  private confirms: number[] | undefined = undefined;
  /** What goes to the owner this turn, sent as one message. */
  private readonly outbox: Outbox<ToOwner>;
  private readonly settleEach = (reply: Reply): void => this.settle(reply);

  /** `socket`: where the owner listens, when this connection reaches it over a socket. */
  constructor(
    private readonly port: Endpoint,
    readonly kind: HandleKind,
    readonly info: HandleInfo,
    private readonly socket?: { address: string; token: string },
  ) {
    this.state = { ...info.state };
    this.outbox = new Outbox(port, (message, error) => this.unsent(message, error));
    port.on('message', (replies: Reply | Reply[]) => receiveAll(replies, this.settleEach));
    port.on('close', () =>
      this.ended(
        `its owner is gone (the thread or process that holds the ${info.className} ended, or let go of it)`,
      ),
    );
    // An idle handle never keeps its thread alive; a pending call does (see send).
    port.unref();
    this.post({ op: 'hello', thread: THREAD_KEY });
  }

  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  call(method: string, args: readonly unknown[]): Promise<unknown> {
    return this.send(method, args, undefined, 0);
  }

  callAhead(method: string, args: readonly unknown[]): Promise<unknown> {
    if (this.closedBy !== undefined) throw this.closedError(method);
    const encoded = encodeValues(args, `${this.info.className}.${method}`, 'argument', this.to);
    return this.send(method, args, undefined, DEFER, encoded);
  }

  wait(method: string, args: readonly unknown[], opts: WaitOptions | undefined): Promise<unknown> {
    const invalid = invalidWaitOptions(opts, `${this.info.className}.${method}`);
    if (invalid) return Promise.reject(invalid);
    return this.send(method, args, opts, WAITS);
  }

  waitHeld(method: string, args: readonly unknown[], signal: AbortSignal): Promise<HeldAnswer> {
    return this.send(method, args, { signal }, WAITS | HELD | FOR_THREAD) as Promise<HeldAnswer>;
  }

  callHeld(method: string, args: readonly unknown[]): Promise<HeldAnswer> {
    return this.send(method, args, undefined, HELD | FOR_THREAD) as Promise<HeldAnswer>;
  }

  callForThread(method: string, args: readonly unknown[]): Promise<unknown> {
    return this.send(method, args, undefined, FOR_THREAD);
  }

  waitForThread(
    method: string,
    args: readonly unknown[],
    signal: AbortSignal,
    keepsAlive: boolean,
  ): Promise<unknown> {
    const flags = WAITS | FOR_THREAD | (keepsAlive ? 0 : IDLE);
    return this.send(method, args, { signal }, flags);
  }

  keep(receipt: number, count?: number): void {
    if (count === undefined) {
      this.confirmLater(receipt);
      return;
    }
    // Pieces of an answer: `-receipt, count`, added to the last entry when it is the same answer's.
    const confirms = this.confirms;
    if (confirms !== undefined && confirms[confirms.length - 2] === -receipt) {
      confirms[confirms.length - 1]! += count;
      return;
    }
    this.confirmLater(-receipt);
    this.confirms!.push(count);
  }

  giveBack(receipts: readonly number[]): void {
    if (this.closedBy === undefined && receipts.length > 0) {
      // The pieces already taken are confirmed first, so only the rest goes back.
      this.flushConfirms();
      this.post({ op: 'return', ids: [...receipts] });
    }
  }

  cross(to: Destination): Crossed {
    if (this.closedBy !== undefined) throw this.closedError(undefined);
    const info = { ...this.info, state: { ...this.state } };
    // Over a socket already: whoever gets the same address and token reaches the owner.
    if (this.socket !== undefined) return socketCrossing(this.kind, info, this.socket);
    if (to === 'process') {
      // A port cannot leave this process: this thread relays, one fresh port per channel.
      const socket = tokenFor(this, (link, channel) => {
        const { port1, port2 } = new MessageChannel();
        link.post({ op: 'attach', port: port1 }, [port1]);
        relay(channel, port2);
      });
      return socketCrossing(this.kind, info, socket);
    }
    const { port1, port2 } = new MessageChannel();
    this.post({ op: 'attach', port: port1 }, [port1]);
    const descriptor: PortDescriptor = {
      $weft: 'handle',
      kind: this.kind,
      transport: 'port',
      info,
      port: port2,
    };
    return { descriptor, transfer: [port2] };
  }

  close(): void {
    if (this.closedBy !== undefined) return;
    // What was sent before the close goes (as each call went at once before batching), and
    // the items this thread did get are confirmed, so none goes back to the queue.
    this.flushConfirms();
    this.outbox.flush();
    this.ended('it was disconnected');
    this.port.close();
  }

  /** @internal Asks the owner to withdraw call `id`. */
  cancel(id: number): void {
    if (this.closedBy === undefined) this.post({ op: 'cancel', id });
  }

  private send(
    method: string,
    args: readonly unknown[],
    opts: WaitOptions | undefined,
    flags: number,
    checked?: Encoded,
  ): Promise<unknown> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedError(method));
    let encoded: Encoded;
    if (checked !== undefined) encoded = checked;
    else {
      try {
        encoded = encodeValues(args, `${this.info.className}.${method}`, 'argument', this.to);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const id = this.nextId++;
    const call = new PendingCall(this, id, method);
    call.held = (flags & HELD) !== 0;
    call.keepsAlive = (flags & IDLE) === 0;
    const promise = new Promise<unknown>((resolve, reject) => {
      call.resolve = resolve;
      call.reject = reject;
    });
    // A call for the whole thread carries no task's identity and heeds no task's signal.
    const identity = flags & FOR_THREAD ? undefined : currentIdentity();
    const message: CallMessage = {
      op: 'call',
      id,
      method,
      args: encoded.values,
      party: identity?.id ?? 0,
    };
    if (this.confirms !== undefined && !(flags & HELD)) {
      // A call of the caller's code carries the confirmations: its answer counts what the
      // code took (read your own takes), in one message. Not a fetch ahead, which the
      // handle makes before the code acted on what it took (see confirmations.ts).
      (message as { confirmed?: number[] }).confirmed = this.confirms;
      this.confirms = undefined;
      unconfirmed.delete(this);
    }
    if (flags & WAITS) {
      const signal = opts?.signal;
      const taskSignal = identity?.signal;
      if (signal?.aborted || taskSignal?.aborted) {
        // The owner refuses it exactly as the primitive refuses an aborted signal.
        call.aborted = true;
        call.abortReason = signal?.aborted ? signal.reason : taskSignal!.reason;
        (message as { aborted?: boolean }).aborted = true;
      } else call.listen(signal, taskSignal);
      if (opts?.timeout !== undefined) (message as { timeout?: number }).timeout = opts.timeout;
    }
    this.calls.set(id, call);
    if (call.keepsAlive && this.keepingAlive++ === 0) this.port.ref();
    if (flags & DEFER && encoded.transfer.length === 0) {
      // Sent at the end of the turn: what the caller does to its values meanwhile must not show.
      (message as { args: unknown[] }).args = snapshot(encoded.values);
      this.outbox.post(message, undefined, undefined, true);
    } else this.outbox.post(message, encoded.transfer);
    return promise;
  }

  /** A message of a batch could not be sent: its call fails; its confirmations go later. */
  private unsent(message: ToOwner, error: unknown): void {
    if (message.op !== 'call') return;
    const confirmed = message.confirmed;
    if (confirmed !== undefined) {
      // Goes with a later message: whole answers and `-receipt, count` pairs alike.
      for (const entry of confirmed) this.confirmLater(entry);
    }
    const call = this.calls.get(message.id);
    if (call === undefined) return;
    this.forget(call);
    call.reject(error);
  }

  private settle(reply: Reply): void {
    const call = this.calls.get(reply.id);
    if (reply.state !== undefined) Object.assign(this.state, reply.state);
    if (call === undefined) return;
    this.forget(call);
    if ('cancelled' in reply) {
      call.reject(call.abortReason);
      return;
    }
    const classes = whenValueDecodable(reply.ok ? reply.value : reply.error);
    if (classes === undefined) this.answer(call, reply);
    else classes.then(() => this.answer(call, reply), call.reject);
  }

  /** Hands the answer over, and confirms it to the owner when the owner asked (a queue item). */
  private answer(call: PendingCall, reply: Reply & { readonly ok: boolean }): void {
    if (reply.ok && 'confirm' in reply && reply.confirm && !call.held) this.confirmLater(reply.id);
    answer(call, reply);
  }

  /**
   * Confirms answer `id` to the owner with the next call, or on its own once this turn is
   * over (by then the caller's code has run with what the answer handed over), or when
   * this thread or process ends (`flushConfirmations`), whichever comes first.
   */
  private confirmLater(id: number): void {
    if (this.confirms !== undefined) {
      this.confirms.push(id);
      return;
    }
    this.confirms = [id];
    confirmThisTurn(this);
  }

  /** @internal Sends the confirmations still pending on their own, now. */
  flushConfirms(): void {
    const ids = this.confirms;
    if (ids === undefined) return;
    this.confirms = undefined;
    unconfirmed.delete(this);
    if (this.closedBy !== undefined) return;
    // Straight to the owner, ahead of what this thread deferred to the end of the turn.
    try {
      this.port.postMessage({ op: 'confirm', ids } satisfies ToOwner);
    } catch {
      // The connection is gone: the owner gives back what was not confirmed, as it must.
    }
  }

  private forget(call: PendingCall): void {
    call.unlisten();
    this.calls.delete(call.id);
    if (call.keepsAlive && --this.keepingAlive === 0) this.port.unref();
  }

  private ended(why: string): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = why;
    const calls = [...this.calls.values()];
    this.calls.clear();
    this.keepingAlive = 0;
    this.port.unref();
    for (const call of calls) {
      call.unlisten();
      call.reject(call.aborted ? call.abortReason : this.closedError(call.method));
    }
  }

  private closedError(method: string | undefined): HandleClosedError {
    const what = method === undefined ? 'be passed on' : `answer ${method}()`;
    return new HandleClosedError(
      `${this.info.className} handle cannot ${what}: ${this.closedBy}. The ${this.info.className} lives in another thread or process and can no longer be reached from here.`,
    );
  }

  private post(message: ToOwner, transfer?: Transferable[]): void {
    this.outbox.post(message, transfer);
  }

  private get to(): Destination {
    return destinationOf(this.port);
  }
}

function socketCrossing(
  kind: HandleKind,
  info: HandleInfo,
  socket: { address: string; token: string },
): Crossed {
  const descriptor: SocketDescriptor = {
    $weft: 'handle',
    kind,
    transport: 'socket',
    info,
    address: socket.address,
    token: socket.token,
  };
  return { descriptor, transfer: [] };
}

/** Carries messages both ways between a socket channel and a port, and ends both together. */
export function relay(channel: Endpoint, port: MessagePort): void {
  channel.on('message', (message: unknown) => port.postMessage(message));
  port.on('message', (message: unknown) => channel.postMessage(message));
  channel.on('close', () => port.close());
  port.on('close', () => channel.close());
  port.unref();
}

/** Builds the link for a `'port'` descriptor that arrived here. */
export function connectPort(descriptor: PortDescriptor): RemoteLink {
  return new RemoteLink(descriptor.port, descriptor.kind, descriptor.info);
}

/** Builds the link for a `'socket'` descriptor that arrived here. */
export function connectSocket(descriptor: SocketDescriptor): RemoteLink {
  const { address, token } = descriptor;
  return new RemoteLink(openChannel(address, token), descriptor.kind, descriptor.info, {
    address,
    token,
  });
}
