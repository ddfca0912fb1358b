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
import { test } from 'node:test';
import fc from 'fast-check';
import { SharedLock, SharedQueue } from '../src/index.js';
import { COUNTER, HOLDER, makeItem, OK, type QueueOp } from './fixtures/shared-programs.js';
import {
  type Call,
  canAbort,
  canTimeOut,
  checkOutcomes,
  isGet,
  isPut,
  partyPool,
  property,
  sectionOp,
  syncTimeout,
  type Table,
  waitSpec,
  waitsForever,
} from './support/shared-property.js';

/** Items put by the main thread's end game (parties' items are party * 100 + op index). */
const FILLER = 9000;

const pool = partyPool();

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
  op: (main) => sectionOp('lock', main),
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

test('SharedQueue across threads: each item once, FIFO, no hang, terminate() loses only what it was getting', () =>
  property(pool, [queueTable]));

test('SharedLock across threads: one holder at a time, every section counted, abandoned by the dead, free at the end', () =>
  property(pool, [lockTable]));

test('SharedQueue and SharedLock at once', () => property(pool, [queueTable, lockTable]));
