// Machinery shared by the property-based suites (test/property-*.test.ts). Generated programs
// interleave operations with event-loop turns, clock advances and aborts. Timeouts run on node:test's
// mock clock, so they fire only where a program advances the clock: a failing run replays exactly
// from the seed and path fast-check prints (pass them back through WEFT_FC_SEED / WEFT_FC_PATH).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import fc from 'fast-check';
import type { WaitOptions } from '../../src/index.js';
import { abortListeners, Cancelled } from './async-helpers.js';

/** How many abort controllers each run has. */
export const SIGNALS = 3;
/** Timeouts a generated call may carry (ms on the mock clock). */
export const TIMEOUTS = [0, 1, 2, 5, 10] as const;
/** Advancing the clock by this much fires every timeout a call can carry. */
export const PAST_EVERY_TIMEOUT = 100;

/**
 * fast-check parameters: `numRuns` (WEFT_FC_RUNS overrides it for a longer hunt), or the run named
 * by WEFT_FC_SEED / WEFT_FC_PATH to replay it.
 */
export function runs(numRuns: number): fc.Parameters<unknown> {
  const override = Number(process.env.WEFT_FC_RUNS);
  // The failing assertion's message goes into the report: node:test shows no error `cause`.
  const params = { numRuns: override > 0 ? override : numRuns, includeErrorInReport: true };
  const seed = process.env.WEFT_FC_SEED;
  if (seed === undefined) return params;
  return { ...params, seed: Number(seed), path: process.env.WEFT_FC_PATH, endOnFailure: true };
}

/** Puts timers under the program's control: `setTimeout` and `Date` are mocked, `performance.now` follows `Date`. */
export function useMockClock(t: TestContext): void {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  t.mock.method(performance, 'now', () => Date.now());
}

/** The options of one generated call: a timeout and/or one of the run's signals (by index). */
export interface OptsSpec {
  timeout: number | undefined;
  signal: number | undefined;
}

/** No options at all (`undefined`), or a timeout and/or a signal. */
export const optsSpec: fc.Arbitrary<OptsSpec | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({
    timeout: fc.option(fc.constantFrom(...TIMEOUTS), { nil: undefined }),
    signal: fc.option(fc.nat(SIGNALS - 1), { nil: undefined }),
  }),
);

/** How long a holder keeps what it got: a few microtask or event-loop turns. */
export interface Hold {
  turns: number;
  macro: boolean;
}

export const hold: fc.Arbitrary<Hold> = fc.record({
  turns: fc.integer({ min: 0, max: 3 }),
  macro: fc.boolean(),
});

export async function holdFor({ turns, macro }: Hold): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (macro) await nextTurn();
    else await Promise.resolve();
  }
}

/** Steps every program may take between its own operations. */
export type CommonStep =
  | { op: 'micro'; turns: number }
  | { op: 'macro'; turns: number }
  | { op: 'advance'; ms: number }
  | { op: 'abort'; signal: number };

// Aborts are rarer than the rest: an aborted signal only refuses, so most calls should meet a live one.
export const commonStep: fc.Arbitrary<CommonStep> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('micro' as const),
      turns: fc.integer({ min: 1, max: 3 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('macro' as const),
      turns: fc.integer({ min: 1, max: 2 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      ms: fc.integer({ min: 1, max: 6 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ op: fc.constant('abort' as const), signal: fc.nat(SIGNALS - 1) }),
    weight: 1,
  },
);

/** What became of one promise, readable without awaiting it. */
export interface Outcome<T> {
  state: 'pending' | 'fulfilled' | 'rejected';
  value: T | undefined;
  reason: unknown;
}

/**
 * Watches `promise`. `onSettle` runs in the promise's own reaction (one microtask hop after it
 * settled), so callbacks of different promises run in the order the promises settled.
 */
export function observe<T>(promise: Promise<T>, onSettle?: (o: Outcome<T>) => void): Outcome<T> {
  const outcome: Outcome<T> = { state: 'pending', value: undefined, reason: undefined };
  promise.then(
    (value) => {
      outcome.state = 'fulfilled';
      outcome.value = value;
      onSettle?.(outcome);
    },
    (reason: unknown) => {
      outcome.state = 'rejected';
      outcome.reason = reason;
      onSettle?.(outcome);
    },
  );
  return outcome;
}

/** One run's signals, clock and failures. */
export class Run {
  readonly controllers = Array.from({ length: SIGNALS }, () => new AbortController());
  readonly reasons = this.controllers.map((_, k) => new Cancelled(`signal ${k} aborted`));
  /** Assertion failures inside concurrent parties, rethrown by `assertNoFailures`. */
  readonly failures: unknown[] = [];

  constructor(private readonly t: TestContext) {}

  opts(spec: OptsSpec | undefined): WaitOptions | undefined {
    if (spec === undefined) return undefined;
    const signal = spec.signal === undefined ? undefined : this.controllers[spec.signal]!.signal;
    return { timeout: spec.timeout, signal };
  }

  /** Fires every timer due within `ms`, synchronously. */
  advance(ms: number): void {
    this.t.mock.timers.tick(ms);
  }

  abort(k: number): void {
    this.controllers[k]!.abort(this.reasons[k]);
  }

  /**
   * Takes one common step; resolves whether the program now stands at a quiet point (every
   * pending reaction ran). `sync` runs right after an abort or a clock advance, before any other
   * code can run, so a model can follow the primitive at the exact point it changed.
   */
  async step(step: CommonStep, sync?: () => void): Promise<boolean> {
    switch (step.op) {
      case 'micro':
        for (let i = 0; i < step.turns; i++) await Promise.resolve();
        return false;
      case 'macro':
        for (let i = 0; i < step.turns; i++) await nextTurn();
        return true;
      case 'advance':
        this.advance(step.ms);
        sync?.();
        return false;
      case 'abort':
        this.abort(step.signal);
        sync?.();
        return false;
    }
  }

  /** Aborts every signal and fires every timeout: afterwards only option-less calls may still wait. */
  abortEverything(): void {
    for (let k = 0; k < SIGNALS; k++) this.abort(k);
    this.advance(PAST_EVERY_TIMEOUT);
  }

  /** Whether a call made with `spec` may have rejected with `reason` because its signal aborted. */
  abortedWith(spec: OptsSpec | undefined, reason: unknown): boolean {
    return spec?.signal !== undefined && reason === this.reasons[spec.signal];
  }

  /**
   * At a quiet point: no call still waits on an aborted signal, and each signal holds exactly one
   * abort listener per call still waiting on it.
   */
  assertListeners(pending: readonly { spec: OptsSpec | undefined; waiting: boolean }[]): void {
    for (let k = 0; k < SIGNALS; k++) {
      const { signal } = this.controllers[k]!;
      const expected = pending.filter((call) => call.waiting && call.spec?.signal === k).length;
      if (signal.aborted) assert.equal(expected, 0, `a call still waits on aborted signal ${k}`);
      assert.equal(abortListeners(signal), expected, `listeners on signal ${k}`);
    }
  }

  /** A party records its failure here instead of leaving an unhandled rejection. */
  party(body: () => Promise<void>): Promise<void> {
    return body().catch((err: unknown) => {
      this.failures.push(err);
    });
  }

  assertNoFailures(): void {
    if (this.failures.length > 0) throw this.failures[0];
  }

  /** `settle`, failing at once with a party's own failure rather than with a hang it caused. */
  settle(what: string, done: () => boolean, nudge?: () => void): Promise<void> {
    return settle(
      what,
      () => {
        this.assertNoFailures();
        return done();
      },
      nudge,
    );
  }
}

/** Turns the event loop, calling `nudge` before each turn, until `done()`; fails instead of hanging. */
export async function settle(
  what: string,
  done: () => boolean,
  nudge: () => void = () => {},
  maxTurns = 2_000,
): Promise<void> {
  for (let turn = 0; !done(); turn++) {
    if (turn === maxTurns) assert.fail(`${what} did not settle within ${maxTurns} turns`);
    nudge();
    await nextTurn();
  }
}
