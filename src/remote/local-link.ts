/**
 * A handle's link to a primitive in this very thread: what a manager gives its own caller,
 * as Python's `manager.dict()` gives a proxy also in the process that made it. Calls run
 * the same served methods a remote handle reaches, and values are copied on
 * the way in and out exactly as they would be crossing into another thread (a value that
 * cannot cross is refused at the call), so a handle behaves the same wherever it is.
 * @module
 */

import { decodeValues, encodeValues, planValue } from '../codec/codec.js';
import type {
  Crossed,
  Destination,
  HandleDescriptor,
  HandleInfo,
  HandleKind,
  LiveState,
} from '../codec/descriptor.js';
import { invalidWaitOptions, type WaitOptions } from '../core/options.js';
import { HandleClosedError } from '../errors.js';
import type { HandleLink, HeldAnswer } from './handle.js';
import {
  ALL_KEPT,
  type ConnectionScope,
  keepDelivered,
  type MethodSpec,
  type ServedKind,
} from './served-kind.js';

/** Values as they would arrive after crossing: cloned, with weft primitives turned into handles. */
export function copied(values: readonly unknown[], where: string, what: string): unknown[] {
  const { values: encoded, transfer } = encodeValues(values, where, what);
  if (
    transfer.length === 0 &&
    encoded.every((value) => value === null || typeof value !== 'object')
  ) {
    return encoded;
  }
  return decodeValues(structuredClone(encoded, { transfer }));
}

/** A link to `target`, served by `kind`, in the calling thread. */
export class LocalLink implements HandleLink, ConnectionScope {
  readonly kind: HandleKind;
  readonly info: HandleInfo;
  readonly state: LiveState;
  readonly local = true;
  readonly objects = new Map<number, unknown>();
  private cleanups: (() => void)[] = [];
  closed = false;
  /** Answers of `waitHeld` not yet kept or given back: the value the target handed over, by receipt. */
  private readonly heldAnswers = new Map<number, { spec: MethodSpec<unknown>; value: unknown }>();
  private nextReceipt = 1;

  constructor(
    private readonly target: object,
    private readonly served: ServedKind,
  ) {
    this.kind = served.kind;
    this.info = served.info(target);
    this.state = { ...this.info.state };
  }

  call(method: string, args: readonly unknown[]): Promise<unknown> {
    return this.run(method, args, undefined);
  }

  callAhead(method: string, args: readonly unknown[]): Promise<unknown> {
    if (this.closed) throw this.closedError(method);
    const input = copied(args, `${this.info.className}.${method}`, 'argument');
    return this.answer(method, input, undefined, true).then((answer) => answer.value);
  }

  wait(method: string, args: readonly unknown[], opts: WaitOptions | undefined): Promise<unknown> {
    const invalid = invalidWaitOptions(opts, `${this.info.className}.${method}`);
    if (invalid) return Promise.reject(invalid);
    return this.run(method, args, opts ?? {});
  }

  callForThread(method: string, args: readonly unknown[]): Promise<unknown> {
    return this.call(method, args);
  }

  waitForThread(method: string, args: readonly unknown[], signal: AbortSignal): Promise<unknown> {
    return this.run(method, args, { signal });
  }

  waitHeld(method: string, args: readonly unknown[], signal: AbortSignal): Promise<HeldAnswer> {
    return this.held(method, args, { signal });
  }

  callHeld(method: string, args: readonly unknown[]): Promise<HeldAnswer> {
    return this.held(method, args, undefined);
  }

  /** A call whose answer is held until the caller keeps it or gives it back. */
  private async held(
    method: string,
    args: readonly unknown[],
    opts: WaitOptions | undefined,
  ): Promise<HeldAnswer> {
    const answer = await this.answer(method, args, opts);
    if (this.closed) {
      answer.spec.orphaned?.(this.target, answer.raw, false);
      throw this.closedError(method);
    }
    const receipt = this.nextReceipt++;
    if (answer.spec.delivers)
      this.heldAnswers.set(receipt, { spec: answer.spec, value: answer.raw });
    return { value: answer.value, receipt };
  }

  keep(receipt: number, count?: number): void {
    const held = this.heldAnswers.get(receipt);
    if (held === undefined) return;
    const left = keepDelivered(held.spec, this.target, held.value, count);
    if (left === ALL_KEPT) this.heldAnswers.delete(receipt);
    else held.value = left;
  }

  giveBack(receipts: readonly number[]): void {
    const returned: { spec: MethodSpec<unknown>; value: unknown }[] = [];
    for (const receipt of receipts) {
      const held = this.heldAnswers.get(receipt);
      if (held === undefined) continue;
      this.heldAnswers.delete(receipt);
      returned.push(held);
    }
    // The latest first, so that the earliest ends up in front, where it was.
    for (let i = returned.length - 1; i >= 0; i--) {
      returned[i]!.spec.orphaned?.(this.target, returned[i]!.value, false);
    }
  }

  /** Crosses as the target itself would: served to the other side by its owner. */
  cross(to: Destination): Crossed {
    if (this.closed) throw this.closedError(undefined);
    const plan = planValue(this.target, new Map(), to)!;
    const transfer = plan.open();
    return { descriptor: plan.value as HandleDescriptor, transfer };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.giveBack([...this.heldAnswers.keys()]);
    const cleanups = this.cleanups;
    this.cleanups = [];
    for (const cleanup of cleanups) cleanup();
    this.objects.clear();
  }

  onClose(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  private async run(
    method: string,
    args: readonly unknown[],
    opts: WaitOptions | undefined,
  ): Promise<unknown> {
    return (await this.answer(method, args, opts)).value;
  }

  /** Runs a call: its answer as the caller sees it (`value`), the target's own (`raw`), its method. */
  private async answer(
    method: string,
    args: readonly unknown[],
    opts: WaitOptions | undefined,
    /** `args` are copies already (`callAhead` copied them at the call). */
    copiedArgs = false,
  ): Promise<{ value: unknown; raw: unknown; spec: MethodSpec<unknown> }> {
    const className = this.info.className;
    if (this.closed) throw this.closedError(method);
    const methods = this.served.methods;
    const spec = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (spec === undefined || spec.waits !== (opts !== undefined)) {
      throw new TypeError(`${className}: a handle cannot call ${method}() that way`);
    }
    const input = copiedArgs ? [...args] : copied(args, `${className}.${method}`, 'argument');
    const value = await spec.run(this.target, input, opts, this);
    const state = this.served.state?.(this.target);
    if (state !== undefined) Object.assign(this.state, state);
    try {
      const copy = copied([value], `${className} (answer to a handle)`, 'result')[0];
      return { value: copy, raw: value, spec };
    } catch (err) {
      // The answer cannot reach the caller: what the call took goes back (an item, a lock).
      spec.orphaned?.(this.target, value, false);
      throw err;
    }
  }

  private closedError(method: string | undefined): HandleClosedError {
    const what = method === undefined ? 'be passed on' : `answer ${method}()`;
    return new HandleClosedError(
      `${this.info.className} handle cannot ${what}: it was disconnected. Use another handle on the same ${this.info.className}.`,
    );
  }
}
