// Property: the shared-memory primitives hold up across real threads. 2 to 4 long-lived threads
// (and in some runs the main thread) run generated programs at once — puts, gets, their Nowait
// and Sync forms, shutdowns, lock sections, with timeouts and aborts, some calls left running
// while the program goes on — and some runs terminate() a thread mid-program. From what every
// party logged in shared memory: every item put is got exactly once or is still in the queue
// (a terminated thread may take items with it, no more than it was getting), nothing is got
// that was not put, FIFO holds across all threads, the lock admits one holder at a time, counts
// every holder, comes back `abandoned` from a dead one and is free at the end; no run hangs
// (the end game puts exactly what blocked getters wait for, or shuts the queue down).
// Default runs suit `npm test`. The long hunt (progress on stderr every 250 runs):
//   WEFT_FC_RUNS=5000 node --import tsx test/property-shared.test.ts
// A failure prints its seed and path; replay with WEFT_FC_SEED=... WEFT_FC_PATH=... (thread timing
// differs from run to run, so a replay re-runs the same programs, not the same interleaving).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { SharedLock, SharedQueue } from '../src/index.js';
import {
  ABORTED,
  COUNTER,
  HOLDER,
  type LockOp,
  makeItem,
  OK,
  type Op,
  type PauseOp,
  type QueueOp,
  SHUT_DOWN,
  TIMED_OUT,
  type WaitSpec,
  type World,
} from './fixtures/shared-programs.js';
import { killAll } from './support/dead-party.js';
import { runs } from './support/property-harness.js';
import {
  type Call,
  describeRun,
  EndGame,
  type Nudge,
  PartyPool,
  type RunSpec,
  type RunView,
} from './support/shared-runs.js';

/** Runs per test in `npm test`; WEFT_FC_RUNS overrides. */
const RUNS = 60;
const WORKERS = 4;
/** Items put by the main thread's end game (parties' items are party * 100 + op index). */
const FILLER = 9000;

const pool = new PartyPool();
before(() => pool.start(WORKERS));
after(async () => {
  try {
    await pool.close();
  } finally {
    await killAll();
  }
});

const maybe = <T>(arb: fc.Arbitrary<T>, freq = 2) => fc.option(arb, { nil: undefined, freq });
const waitSpec: fc.Arbitrary<WaitSpec | undefined> = maybe(
  fc.record({
    timeout: maybe(fc.integer({ min: 0, max: 8 })),
    abortAfterMs: maybe(fc.integer({ min: 0, max: 6 })),
  }),
);
const syncTimeout = maybe(fc.integer({ min: 0, max: 8 }));

/** One primitive's part of the property: its operations, its object, its end game and checks. */
interface Table {
  /** Operations of a party; the main thread's make no blocking calls. */
  op(main: boolean): fc.Arbitrary<Op>;
  /** Adds the primitive to the run's world. */
  make(world: World, config: Config): void;
  /** Unblocks calls that only the end game can finish (see `Nudge`). */
  nudge?(view: RunView, end: EndGame<Config>): boolean;
  check(view: RunView, end: EndGame<Config>): void;
}

interface Config {
  maxsize: number;
  bytes: number | undefined;
  endBy: 'fill' | 'shutdown';
}

const isPut = (op: Op) => op.op === 'put' || op.op === 'putNowait' || op.op === 'putSync';
const isGet = (op: Op) => op.op === 'get' || op.op === 'getNowait' || op.op === 'getSync';
/** A call that waits until it is served, however long. */
const waitsForever = (op: Op) =>
  ((op.op === 'put' || op.op === 'get') && (op.wait === undefined || isUntimed(op.wait))) ||
  ((op.op === 'putSync' || op.op === 'getSync') && op.timeout === undefined);
const isUntimed = (w: WaitSpec) => w.timeout === undefined && w.abortAfterMs === undefined;
const canTimeOut = (op: Op) =>
  op.op === 'putNowait' ||
  op.op === 'getNowait' ||
  (op.op === 'lock' && op.how === 'try') ||
  ('wait' in op && op.wait?.timeout !== undefined) ||
  ('timeout' in op && op.timeout !== undefined);
const canAbort = (op: Op) => 'wait' in op && op.wait?.abortAfterMs !== undefined;

/** Each call ended as its options allow (a timeout only with one, ...); none failed otherwise. */
function checkOutcomes(view: RunView, calls: Call[]): void {
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

const queueTable: Table = {
  op: (main) =>
    fc.oneof(
      {
        arbitrary: fc.record({
          op: fc.constant('put' as const),
          item: fc.constant(0),
          wait: waitSpec,
          detach: fc.boolean(),
        }),
        weight: 6,
      },
      {
        arbitrary: fc.record({
          op: fc.constant('get' as const),
          wait: waitSpec,
          detach: fc.boolean(),
        }),
        weight: 6,
      },
      {
        arbitrary: fc.record({ op: fc.constant('putNowait' as const), item: fc.constant(0) }),
        weight: 2,
      },
      { arbitrary: fc.constant({ op: 'getNowait' as const }), weight: 2 },
      ...(main
        ? []
        : [
            {
              arbitrary: fc.record({
                op: fc.constant('putSync' as const),
                item: fc.constant(0),
                timeout: syncTimeout,
              }),
              weight: 2,
            },
            {
              arbitrary: fc.record({ op: fc.constant('getSync' as const), timeout: syncTimeout }),
              weight: 2,
            },
          ]),
      { arbitrary: fc.constant({ op: 'shutdown' as const }), weight: 1 },
    ) as fc.Arbitrary<QueueOp>,
  make(world, { maxsize, bytes }) {
    world.queue = new SharedQueue({ maxsize, ...(bytes === undefined ? {} : { bytes }) });
  },
  // Blocked getters get exactly the items they miss, blocked putters the room; or all end by shutdown.
  nudge(view, end) {
    const queue = view.world.queue!;
    const open = view.calls.filter((c) => c.end === undefined && !c.dead && waitsForever(c.op));
    const gets = open.filter((c) => isGet(c.op)).length;
    const puts = open.filter((c) => isPut(c.op)).length;
    if (gets + puts === 0) return false;
    if (end.config.endBy === 'shutdown') {
      end.call({ op: 'shutdown' }, () => queue.shutdown());
      return true;
    }
    for (let k = queue.qsize(); k < gets; k++) {
      const item = FILLER + end.calls.length;
      if (end.call({ op: 'putNowait', item }, () => queue.putNowait(makeItem(item))) !== OK) break;
    }
    for (let k = 0; gets === 0 && k < puts; k++) {
      if (end.call({ op: 'getNowait' }, () => queue.getNowait().id) !== OK) break;
    }
    return true;
  },
  check(view, end) {
    const queue = view.world.queue!;
    const left = queue.qsize();
    let drained = 0;
    while (end.call({ op: 'getNowait' }, () => queue.getNowait().id) === OK) drained++;
    assert.equal(drained, left, 'qsize() at the end is what was left in the queue');
    assert.equal(queue.qsize(), 0, 'the queue is empty once drained');
    const calls = [...view.calls, ...end.calls].filter(
      (c) => c.op.op !== 'lock' && c.op.op !== 'pause',
    );
    checkOutcomes(view, calls);
    const puts = new Map<number, Call>();
    for (const c of calls) if (isPut(c.op)) puts.set((c.op as { item: number }).item, c);
    const got = new Map<number, Call>();
    for (const c of calls) {
      if (!isGet(c.op) || c.outcome !== OK) continue;
      const put = puts.get(c.value);
      const where = `item ${c.value} (got by party ${c.party} op ${c.index})`;
      assert.ok(!got.has(c.value), `${where} was got twice`);
      assert.ok(put !== undefined, `${where} was never put`);
      assert.ok(
        put.outcome === OK || (put.dead && put.end === undefined),
        `${where}: its put failed`,
      );
      assert.ok(put.start < c.end!, `${where} was got before its put started`);
      got.set(c.value, c);
    }
    // What a terminated thread was getting may have gone with it, one item per get at most.
    const missing = [...puts.values()].filter((p) => p.outcome === OK && !got.has(item(p)));
    const takenByTheDead = calls.filter((c) => c.dead && isGet(c.op) && c.end === undefined).length;
    assert.ok(
      missing.length <= takenByTheDead,
      `items put and never got: ${missing.map(item).join(', ')} (a dead thread was getting ${takenByTheDead})`,
    );
    // FIFO across every thread: an item put after another ended is not got before that one's get started.
    const delivered = [...got.entries()].map(([id, g]) => ({ put: puts.get(id)!, got: g }));
    for (const a of delivered) {
      for (const b of delivered) {
        if (a.put.end !== undefined && a.put.end < b.put.start && b.got.end! < a.got.start) {
          assert.fail(`item ${item(b.put)} overtook item ${item(a.put)}, put before it`);
        }
      }
    }
  },
};

function item(put: Call): number {
  return (put.op as { item: number }).item;
}

const lockTable: Table = {
  op: (main) =>
    fc
      .record({
        how: main
          ? fc.constantFrom('acquire' as const, 'try' as const)
          : fc.constantFrom(
              'acquire' as const,
              'acquire' as const,
              'try' as const,
              'sync' as const,
            ),
        wait: waitSpec,
        detach: fc.boolean(),
        hold: fc.integer({ min: 0, max: 3 }),
      })
      .map(
        ({ how, wait, detach, hold }): LockOp =>
          how === 'sync'
            ? { op: 'lock', how, wait: wait && { timeout: wait.timeout }, detach: false, hold }
            : { op: 'lock', how, wait: how === 'try' ? undefined : wait, detach, hold },
      ),
  make(world) {
    world.lock = new SharedLock();
  },
  check(view) {
    const lock = view.world.lock!;
    const calls = view.calls.filter((c) => c.op.op === 'lock');
    checkOutcomes(view, calls);
    assert.deepEqual(view.violations, [], 'parties saw the critical section shared or disturbed');
    for (const c of calls) {
      if (c.end === undefined) continue;
      assert.equal(c.acquired !== undefined, c.outcome === OK, `party ${c.party} op ${c.index}`);
      if (!canTimeOut(c.op) && !canAbort(c.op)) assert.equal(c.outcome, OK);
    }
    assert.equal(lock.locked(), false, 'the lock is free at the end');
    const sections = calls.flatMap((c) => (c.acquired ? [{ ...c.acquired, call: c }] : []));
    sections.sort((a, b) => a.seq - b.seq);
    // A dead thread may have stopped anywhere in a section: after counting itself, before logging.
    const deadOpen = calls.filter((c) => c.dead && c.end === undefined);
    const counter = view.control[COUNTER]!;
    const gap = counter - sections.length;
    assert.ok(
      gap === 0 || (gap === 1 && deadOpen.length > 0),
      `counter ${counter}, sections ${sections.length}`,
    );
    const seqs = sections.map((s) => s.seq);
    assert.ok(
      seqs.every((seq, i) => seq >= 0 && seq < counter && (i === 0 || seq > seqs[i - 1]!)),
      `sections counted as ${seqs} by a counter at ${counter}`,
    );
    const abandoned = sections.filter((s) => s.abandoned);
    assert.ok(abandoned.length <= (deadOpen.length > 0 ? 1 : 0), 'abandoned with no holder dead');
    const deadHeld = sections.find((s) => s.call.dead && s.call.releasing === undefined);
    if (deadHeld) {
      const next = sections.find((s) => s.seq > deadHeld.seq);
      if (next) assert.ok(next.abandoned, 'the holder after a dead one did not see `abandoned`');
      else assert.ok(lock.abandoned, 'a lock whose holder died is not `abandoned`');
    }
    // Left in the section's word only by a thread that died in a section.
    const mark = view.control[HOLDER]!;
    assert.ok(mark === 0 || deadOpen.some((c) => c.party + 1 === mark), `holder mark ${mark} left`);
  },
};

const pauseOp = (main: boolean): fc.Arbitrary<PauseOp> =>
  fc.record({
    op: fc.constant('pause' as const),
    ms: fc.integer({ min: 0, max: 3 }),
    block: main ? fc.constant(false) : fc.boolean(),
  });

/** A run over `tables`: programs of their operations (and pauses), the world's config. */
function runArb(tables: Table[]): fc.Arbitrary<RunSpec & { config: Config }> {
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

async function property(tables: Table[]): Promise<void> {
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

test('SharedQueue across threads: each item once, FIFO, no hang, terminate() loses only what it was getting', () =>
  property([queueTable]));

test('SharedLock across threads: one holder at a time, every section counted, abandoned by the dead, free at the end', () =>
  property([lockTable]));

test('SharedQueue and SharedLock at once', () => property([queueTable, lockTable]));
