/**
 * One call of a handle waiting for its owner's answer (remote-link.ts): the caller's
 * resolvers, the signals it listens to while it waits, and how the answer settles it.
 * @module
 */
import { decodeValue } from '../codec/codec.js';
import { decodeError } from '../codec/error-codec.js';
import type { HeldAnswer } from './handle.js';
import type { Reply } from './protocol.js';

/** A call waiting for the owner's answer. Listens for its caller's signals while it waits. */
export class PendingCall {
  resolve!: (value: unknown) => void;
  reject!: (reason: unknown) => void;
  /** Why the caller gave up; the call rejects with it once the owner confirms. */
  abortReason: unknown = undefined;
  aborted = false;
  /** Answered with a `HeldAnswer`, left unconfirmed for the caller to keep or give back. */
  held = false;
  /** Keeps the thread alive while pending (a call someone awaits does). */
  keepsAlive = true;
  private signal: AbortSignal | undefined = undefined;
  private taskSignal: AbortSignal | undefined = undefined;

  constructor(
    private readonly connection: { cancel(id: number): void },
    readonly id: number,
    readonly method: string,
  ) {}

  listen(signal: AbortSignal | undefined, taskSignal: AbortSignal | undefined): void {
    this.signal = signal;
    this.taskSignal = taskSignal;
    signal?.addEventListener('abort', this);
    taskSignal?.addEventListener('abort', this);
  }

  unlisten(): void {
    this.signal?.removeEventListener('abort', this);
    this.taskSignal?.removeEventListener('abort', this);
    this.signal = this.taskSignal = undefined;
  }

  /** Abort listener: ask the owner to withdraw the wait. */
  handleEvent(event: Event): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = (event.target as AbortSignal).reason;
    this.unlisten();
    this.connection.cancel(this.id);
  }
}

/** Settles `call` with the owner's answer `reply`, decoded. */
export function answer(call: PendingCall, reply: Reply & { readonly ok: boolean }): void {
  if (!reply.ok) {
    call.reject(decodeError((reply as { error: unknown }).error));
    return;
  }
  let value: unknown;
  try {
    value = decodeValue((reply as { value: unknown }).value);
  } catch (err) {
    call.reject(err);
    return;
  }
  call.resolve(call.held ? ({ value, receipt: reply.id } satisfies HeldAnswer) : value);
}
