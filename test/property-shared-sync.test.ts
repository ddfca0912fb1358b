// Property: SharedSemaphore, SharedCondition and SharedEvent hold up across real threads. 2 to 4
// long-lived threads (and in some runs the main thread) run generated programs at once —
// semaphore sections (acquire, try, acquireSync, with timeouts and aborts), produce/consume
// on a condition (notify one or all; wait with timeouts and aborts, async and sync), event
// set/clear/wait — some calls left running while the program goes on, and some runs
// terminate() a thread mid-program. From what every party logged: never more holders inside
// the semaphore than it has permits, and every permit back at the end (but those a dead thread
// held: a semaphore has no owner); the condition's count never negative and equal to what was
// produced less what was consumed; a wait that returned true saw a set; and no run hangs — the
// end game only makes true what untimed waiters wait for (frees a dead thread's permit,
// produces the items consumers lack, sets the event), so a waiter left asleep while its
// condition holds (a lost wake-up) hangs the run and fails it.
//   WEFT_FC_RUNS=1000 node --import tsx test/property-shared-sync.test.ts
// A failure prints its seed and path; replay with WEFT_FC_SEED=... WEFT_FC_PATH=....
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SharedCondition, SharedEvent, SharedLock, SharedSemaphore } from '../src/index.js';
import {
  type ConsumeOp,
  type EventOp,
  INSIDE,
  ITEMS,
  OK,
  type ProduceOp,
  type SemOp,
} from './fixtures/shared-programs.js';
import {
  type Call,
  checkOutcomes,
  partyPool,
  property,
  sectionOp,
  type Table,
  waitingOp,
  waitsForever,
} from './support/shared-property.js';

const pool = partyPool();

/** Open calls of live parties that wait however long it takes. */
const openForever = (calls: Call[], kind: string) =>
  calls.filter((c) => c.op.op === kind && c.end === undefined && !c.dead && waitsForever(c.op));
/** The end game's way of logging a permit it gave back for a dead holder. */
const GIVE_BACK: SemOp = { op: 'sem', how: 'acquire', wait: undefined, detach: false, hold: -1 };

const semaphoreTable: Table = {
  op: (main) => sectionOp('sem', main),
  make(world, { permits }) {
    world.semaphore = new SharedSemaphore(permits);
    world.permits = permits;
  },
  // A dead thread's permits stay taken: give back those it certainly held (inside, not leaving),
  // and count it out of the section.
  nudge(view, end) {
    if (openForever(view.calls, 'sem').length === 0) return false;
    const held = heldByTheDead(view.calls).length;
    const given = end.calls.filter((c) => c.op === GIVE_BACK).length;
    if (given >= held) return false;
    end.call(GIVE_BACK, () => {
      Atomics.sub(view.control, INSIDE, 1); // the dead holder is out
      view.world.semaphore!.release();
    });
    return true;
  },
  check(view, end) {
    const calls = view.calls.filter((c) => c.op.op === 'sem');
    checkOutcomes(view, calls);
    assert.deepEqual(view.violations, [], 'more holders inside the semaphore than its permits');
    for (const c of calls) {
      if (c.end === undefined) continue;
      assert.equal(c.acquired !== undefined, c.outcome === OK, `party ${c.party} op ${c.index}`);
    }
    const permits = view.world.permits!;
    const given = end.calls.filter((c) => c.op === GIVE_BACK).length;
    const value = view.world.semaphore!.value - given;
    const held = heldByTheDead(calls).length;
    // A thread terminated between two steps of a section may or may not have taken or given back.
    const unsure = calls.filter(
      (c) =>
        c.dead && c.end === undefined && (c.acquired === undefined || c.releasing !== undefined),
    ).length;
    assert.ok(
      value <= permits - held && value >= permits - held - unsure,
      `permits at the end: ${value + given} (${given} given back for the dead), ${permits} at the start, ${held} held by a dead thread, ${unsure} unsure`,
    );
    const inside = view.control[INSIDE]! + given;
    assert.ok(inside >= held && inside <= held + unsure, `${inside} left inside the semaphore`);
  },
};

/** Sections a terminated thread was inside (counted in, not yet leaving) when it died. */
function heldByTheDead(calls: Call[]): Call[] {
  return calls.filter(
    (c) => c.op.op === 'sem' && c.dead && c.acquired !== undefined && c.releasing === undefined,
  );
}

/** What the end game produced (logged as a produce whose value is the count). */
const END_PRODUCE: ProduceOp = { op: 'produce', how: 'async', all: false };

const conditionTable: Table = {
  op: (main) =>
    fc.oneof(
      {
        arbitrary: fc.record({
          op: fc.constant('produce' as const),
          how: main
            ? fc.constant('async' as const)
            : fc.constantFrom('async' as const, 'sync' as const),
          all: fc.boolean(),
        }),
        weight: 1,
      },
      { arbitrary: waitingOp('consume', main), weight: 1 },
    ) as fc.Arbitrary<ProduceOp | ConsumeOp>,
  make(world) {
    world.condition = new SharedCondition(new SharedLock());
  },
  // Consumers that wait however long get exactly the items they lack, notified as a program would.
  nudge(view, end) {
    const lacking = openForever(view.calls, 'consume').length - view.control[ITEMS]!;
    if (lacking <= 0) return false;
    const condition = view.world.condition!;
    if (!(condition.lock as SharedLock).tryAcquire()) return false;
    try {
      end.call(END_PRODUCE, () => {
        Atomics.add(view.control, ITEMS, lacking);
        condition.notify(lacking);
        return lacking;
      });
    } finally {
      condition.release();
    }
    return true;
  },
  check(view, end) {
    const calls = view.calls.filter((c) => c.op.op === 'produce' || c.op.op === 'consume');
    checkOutcomes(view, calls);
    assert.deepEqual(view.violations, [], 'the count of items fell below zero');
    for (const c of calls) {
      if (c.end === undefined) continue;
      assert.equal(c.acquired !== undefined, c.outcome === OK, `party ${c.party} op ${c.index}`);
    }
    const logged = calls.reduce((sum, c) => sum + (c.acquired?.seq ?? 0), 0);
    const produced = end.calls.reduce((sum, c) => sum + (c.op === END_PRODUCE ? c.value : 0), 0);
    // A thread terminated between changing the count and logging it leaves one change unlogged.
    const unsure = calls.filter(
      (c) => c.dead && c.end === undefined && c.acquired === undefined,
    ).length;
    const drift = view.control[ITEMS]! - (logged + produced);
    assert.ok(
      drift === 0 || Math.abs(drift) <= unsure,
      `the count is ${view.control[ITEMS]}, the logged changes make ${logged + produced}`,
    );
    assert.equal(view.world.condition!.locked(), false, "the condition's lock is free at the end");
  },
};

const eventTable: Table = {
  op: (main) =>
    fc.oneof(
      { arbitrary: fc.constant({ op: 'set' as const }), weight: 2 },
      { arbitrary: fc.constant({ op: 'clear' as const }), weight: 1 },
      { arbitrary: waitingOp('waitEvent', main), weight: 3 },
    ) as fc.Arbitrary<EventOp>,
  make(world) {
    world.event = new SharedEvent();
  },
  nudge(view, end) {
    if (openForever(view.calls, 'waitEvent').length === 0) return false;
    end.call({ op: 'set' }, () => view.world.event!.set());
    return true;
  },
  check(view, end) {
    const calls = view.calls.filter((c) => ['set', 'clear', 'waitEvent'].includes(c.op.op));
    checkOutcomes(view, calls);
    const sets = [...calls, ...end.calls].filter((c) => c.op.op === 'set');
    for (const c of calls) {
      if (c.op.op !== 'waitEvent' || c.outcome !== OK) continue;
      assert.ok(
        sets.some((s) => s.start < c.end!),
        `party ${c.party} op ${c.index}: a wait returned true before any set`,
      );
    }
  },
};

test('SharedSemaphore across threads: never more holders than permits, every permit back', () =>
  property(pool, [semaphoreTable]));

test('SharedCondition across threads: produce/consume with notify, no lost wake-up, the count kept', () =>
  property(pool, [conditionTable]));

test('SharedEvent across threads: a wait ends once set, true only after a set', () =>
  property(pool, [eventTable]));

test('SharedSemaphore, SharedCondition and SharedEvent at once', () =>
  property(pool, [semaphoreTable, conditionTable, eventTable]));
