// The machinery of the shared-memory property tests (test/property-shared*.test.ts): the
// generated runs, a primitive's table (its operations, its end game, its checks), the checks
// every table shares, and the property that runs tables over a pool of party threads.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import fc from 'fast-check';
import {
  ABORTED,
  type Op,
  type PauseOp,
  SHUT_DOWN,
  TIMED_OUT,
  type WaitSpec,
  type World,
} from '../fixtures/shared-programs.js';
import { killAll } from './dead-party.js';
import { runs } from './property-harness.js';
import {
  type Call,
  describeRun,
  EndGame,
  type Nudge,
  PartyPool,
  type RunSpec,
  type RunView,
} from './shared-runs.js';

/** Runs per test in `npm test`; WEFT_FC_RUNS overrides. */
const RUNS = 60;
/** Party threads of a file's pool: a run uses 2 to WORKERS of them. */
export const WORKERS = 4;

/**
 * The pool of party threads of a test file, started before its tests and ended after them
 * (with any thread a test left behind).
 */
export function partyPool(): PartyPool {
  const pool = new PartyPool();
  before(() => pool.start(WORKERS));
  after(async () => {
    try {
      await pool.close();
    } finally {
      await killAll();
    }
  });
  return pool;
}

export const maybe = <T>(arb: fc.Arbitrary<T>, freq = 2) =>
  fc.option(arb, { nil: undefined, freq });
export const waitSpec: fc.Arbitrary<WaitSpec | undefined> = maybe(
  fc.record({
    timeout: maybe(fc.integer({ min: 0, max: 8 })),
    abortAfterMs: maybe(fc.integer({ min: 0, max: 6 })),
  }),
);
export const syncTimeout = maybe(fc.integer({ min: 0, max: 8 }));

/** One primitive's part of the property: its operations, its object, its end game and checks. */
export interface Table {
  /** Operations of a party; the main thread's make no blocking calls. */
  op(main: boolean): fc.Arbitrary<Op>;
  /** Adds the primitive to the run's world. */
  make(world: World, config: Config): void;
  /** Unblocks calls that only the end game can finish (see `Nudge`). */
  nudge?(view: RunView, end: EndGame<Config>): boolean;
  check(view: RunView, end: EndGame<Config>): void;
}

export interface Config {
  maxsize: number;
  bytes: number | undefined;
  endBy: 'fill' | 'shutdown';
  /** The semaphore's permits. */
  permits: number;
}

export const isPut = (op: Op) => op.op === 'put' || op.op === 'putNowait' || op.op === 'putSync';
export const isGet = (op: Op) => op.op === 'get' || op.op === 'getNowait' || op.op === 'getSync';
/** A call that waits until it is served, however long. */
export function waitsForever(op: Op): boolean {
  switch (op.op) {
    case 'put':
    case 'get':
      return op.wait === undefined || isUntimed(op.wait);
    case 'putSync':
    case 'getSync':
      return op.timeout === undefined;
    case 'lock':
    case 'sem':
      return op.how !== 'try' && waitsUntimed(op.how === 'sync', op.wait);
    case 'consume':
    case 'waitEvent':
      return waitsUntimed(op.how === 'sync', op.wait);
    default:
      return false;
  }
}
const waitsUntimed = (sync: boolean, wait: WaitSpec | undefined) =>
  wait === undefined || (sync ? wait.timeout === undefined : isUntimed(wait));
const isUntimed = (w: WaitSpec) => w.timeout === undefined && w.abortAfterMs === undefined;
export const canTimeOut = (op: Op) =>
  op.op === 'putNowait' ||
  op.op === 'getNowait' ||
  ((op.op === 'lock' || op.op === 'sem') && op.how === 'try') ||
  ('wait' in op && op.wait?.timeout !== undefined) ||
  ('timeout' in op && op.timeout !== undefined);
export const canAbort = (op: Op) => 'wait' in op && op.wait?.abortAfterMs !== undefined;

/** Each call ended as its options allow (a timeout only with one, ...); none failed otherwise. */
export function checkOutcomes(view: RunView, calls: Call[]): void {
  assert.deepEqual(view.failures, [], 'calls failed with unexpected errors');
  const shutdowns = calls.filter((c) => c.op.op === 'shutdown');
  for (const c of calls) {
    if (c.end === undefined) continue;
    const where = `party ${c.party} op ${c.index} ${JSON.stringify(c.op)}`;
    if (c.outcome === TIMED_OUT) assert.ok(canTimeOut(c.op), `${where} timed out`);
    if (c.outcome === ABORTED) assert.ok(canAbort(c.op), `${where} was aborted`);
    if (c.outcome === SHUT_DOWN) {
      assert.ok(
        shutdowns.some((s) => s.start < c.end!),
        `${where} met a shutdown before any`,
      );
    }
    if (isPut(c.op) && shutdowns.some((s) => s.end !== undefined && s.end < c.start)) {
      assert.equal(c.outcome, SHUT_DOWN, `${where}: a put after the shutdown`);
    }
  }
}

export const pauseOp = (main: boolean): fc.Arbitrary<PauseOp> =>
  fc.record({
    op: fc.constant('pause' as const),
    ms: fc.integer({ min: 0, max: 3 }),
    block: main ? fc.constant(false) : fc.boolean(),
  });

/** A run over `tables`: programs of their operations (and pauses), the world's config. */
export function runArb(tables: Table[]): fc.Arbitrary<RunSpec & { config: Config }> {
  const program = (main: boolean) =>
    fc.array(
      fc.oneof(...tables.map((t) => ({ arbitrary: t.op(main), weight: 4 })), {
        arbitrary: pauseOp(main),
        weight: 1,
      }),
      { minLength: 1, maxLength: 10 },
    );
  return fc
    .record({
      workers: fc.integer({ min: 2, max: WORKERS }),
      programs: fc.array(program(false), { minLength: WORKERS, maxLength: WORKERS }),
      mainProgram: maybe(program(true)),
      // One run in eight terminates a thread (a thread costs more to start again than a run).
      kill: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 7 },
        {
          arbitrary: fc.record({
            party: fc.nat(WORKERS - 1),
            afterMs: fc.integer({ min: 0, max: 15 }),
          }),
          weight: 1,
        },
      ),
      config: fc.record({
        maxsize: fc.constantFrom(0, 1, 2, 3, 5),
        bytes: maybe(fc.integer({ min: 128, max: 512 })),
        endBy: fc.constantFrom('fill' as const, 'shutdown' as const),
        permits: fc.integer({ min: 1, max: 3 }),
      }),
    })
    .map(({ workers, programs, mainProgram, kill, config }) => {
      // Items are named by party and op: unique in the run.
      const named = (ops: Op[], party: number): Op[] =>
        ops.map((op, i) => ('item' in op ? { ...op, item: party * 100 + i } : op));
      const kept = programs.slice(0, workers).map(named);
      return {
        programs: kept,
        mainProgram: mainProgram && named(mainProgram, workers),
        kill,
        config,
      };
    });
}

let done = 0;

/** Checks `tables` over generated runs on `pool`'s threads. */
export async function property(pool: PartyPool, tables: Table[]): Promise<void> {
  await fc.assert(
    fc.asyncProperty(runArb(tables), async (spec) => {
      const world: World = {};
      for (const t of tables) t.make(world, spec.config);
      let end: EndGame<Config> | undefined;
      const nudge: Nudge = (view) => {
        end ??= new EndGame(spec.config, view.control);
        return tables.some((t) => t.nudge?.(view, end!));
      };
      const view = await pool.run(spec, world, nudge);
      if (process.env.WEFT_FC_RUNS && ++done % 250 === 0) console.error(`${done} runs`);
      end ??= new EndGame(spec.config, view.control);
      try {
        for (const t of tables) t.check(view, end);
      } catch (err) {
        (err as Error).message += `\n${describeRun(view)}`;
        throw err;
      }
    }),
    { ...runs(RUNS), endOnFailure: true },
  );
}

export type { Call, RunView } from './shared-runs.js';
export type { EndGame };

/**
 * A critical section's operation (`lock` or `sem`): acquire, try or (off the main thread)
 * acquireSync, with a wait spec (the sync form keeps only its timeout), detached or not
 * (never the sync form), held 0-3 ms.
 */
export function sectionOp<K extends 'lock' | 'sem'>(
  op: K,
  main: boolean,
): fc.Arbitrary<{
  op: K;
  how: 'acquire' | 'try' | 'sync';
  wait: WaitSpec | undefined;
  detach: boolean;
  hold: number;
}> {
  return fc
    .record({
      how: main
        ? fc.constantFrom('acquire' as const, 'try' as const)
        : fc.constantFrom('acquire' as const, 'acquire' as const, 'try' as const, 'sync' as const),
      wait: waitSpec,
      detach: fc.boolean(),
      hold: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ how, wait, detach, hold }) =>
      how === 'sync'
        ? { op, how, wait: wait && { timeout: wait.timeout }, detach: false, hold }
        : { op, how, wait: how === 'try' ? undefined : wait, detach, hold },
    );
}

/**
 * A waiting operation (`consume`, `waitEvent`): async with a wait spec and maybe detached, or
 * (off the main thread) sync with only a timeout.
 */
export function waitingOp<K extends 'consume' | 'waitEvent'>(
  op: K,
  main: boolean,
): fc.Arbitrary<{ op: K; how: 'async' | 'sync'; wait: WaitSpec | undefined; detach: boolean }> {
  return fc
    .record({
      how: main
        ? fc.constant('async' as const)
        : fc.constantFrom('async' as const, 'sync' as const),
      wait: waitSpec,
      timeout: syncTimeout,
      detach: fc.boolean(),
    })
    .map(({ how, wait, timeout, detach }) =>
      how === 'sync'
        ? { op, how, wait: timeout === undefined ? undefined : { timeout }, detach: false }
        : { op, how, wait, detach },
    );
}
