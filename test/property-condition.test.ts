// Property: Condition under random waiters (with timeouts and aborts) and random notify(n) /
// notifyAll calls. A shadow model of the parked waiters, updated at the very points where the
// condition parks, times out, aborts and notifies, predicts each wait's result exactly: a
// notify(n) wakes the n longest waiters still parked (so never more than n), nothing else wakes
// anyone, and every wait returns holding the lock — alone, and for an RLock at the depth it held.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Condition, Lock, RLock, spawn } from '../src/index.js';
import { abortListeners, tick } from './support/async-helpers.js';
import {
  type CommonStep,
  commonStep,
  type Hold,
  hold,
  holdFor,
  type OptsSpec,
  optsSpec,
  Run,
  runs,
  useMockClock,
} from './support/property-harness.js';

type LockKind = 'Lock' | 'RLock';

type ConditionStep =
  | CommonStep
  | { op: 'wait'; spec: OptsSpec | undefined; hold: Hold; depth: number }
  | { op: 'notify'; n: number | 'all'; hold: Hold };

const conditionStep: fc.Arbitrary<ConditionStep> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('wait' as const),
      spec: optsSpec,
      hold,
      depth: fc.integer({ min: 1, max: 2 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('notify' as const),
      n: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant('all' as const)),
      hold,
    }),
    weight: 2,
  },
  { arbitrary: commonStep, weight: 4 },
);

type Result = boolean | { rejected: unknown };

interface CondWaiter {
  spec: OptsSpec | undefined;
  deadline: number;
  /** What the model says `wait` must settle with (set once the model knows). */
  expected: Result | undefined;
  actual: Result | undefined;
}

async function runProgram(run: Run, lockKind: LockKind, program: ConditionStep[]) {
  const lock = lockKind === 'Lock' ? new Lock() : new RLock();
  const cond = new Condition(lock);
  const waiters: CondWaiter[] = [];
  /** The model: waiters parked on the condition, longest first. */
  let parked: CondWaiter[] = [];
  /** Who holds the lock as far as the parties know; wait must hand it back to nobody else. */
  let owner: object | null = null;
  const parties: Promise<void>[] = [];
  let partiesDone = 0;

  const enter = (me: object) => {
    assert.ok(cond.locked(), 'a party runs its critical section without the lock');
    assert.equal(owner, null, 'two parties hold the lock at once');
    owner = me;
  };
  const leave = (me: object) => {
    assert.equal(owner, me);
    owner = null;
  };
  const start = (body: () => Promise<void>) => {
    const party = lockKind === 'RLock' ? async () => void (await spawn(body)) : body;
    parties.push(run.party(party).finally(() => partiesDone++));
  };
  const unpark = (leaving: (w: CondWaiter) => boolean, result: (w: CondWaiter) => Result) => {
    for (const w of parked.filter(leaving)) w.expected = result(w);
    parked = parked.filter((w) => !leaving(w));
  };

  const waitParty = (me: CondWaiter, depth: number, duration: Hold) => async () => {
    for (let level = 0; level < depth; level++) await cond.acquire();
    enter(me);
    leave(me);
    const opts = run.opts(me.spec);
    const waited = cond.wait(opts);
    // cond.wait parked (or refused) synchronously; the model follows at the same point.
    if (opts?.signal?.aborted) me.expected = { rejected: opts.signal.reason };
    else if (me.spec?.timeout === 0) me.expected = false;
    else {
      me.deadline = Date.now() + (me.spec?.timeout ?? Number.POSITIVE_INFINITY);
      parked.push(me);
    }
    try {
      me.actual = await waited;
    } catch (err) {
      me.actual = { rejected: err };
    }
    enter(me);
    await holdFor(duration);
    leave(me);
    for (let level = 0; level < depth; level++) cond.release();
  };

  const notifyParty = (n: number | 'all', duration: Hold) => async () => {
    await cond.acquire();
    const me = {};
    enter(me);
    const woken = n === 'all' ? parked.length : Math.min(n, parked.length);
    unpark(
      (w) => parked.indexOf(w) < woken,
      () => true,
    );
    if (n === 'all') cond.notifyAll();
    else cond.notify(n);
    await holdFor(duration);
    leave(me);
    cond.release();
  };

  for (const step of program) {
    switch (step.op) {
      case 'wait': {
        const me: CondWaiter = {
          spec: step.spec,
          deadline: 0,
          expected: undefined,
          actual: undefined,
        };
        waiters.push(me);
        start(waitParty(me, lockKind === 'RLock' ? step.depth : 1, step.hold));
        break;
      }
      case 'notify':
        start(notifyParty(step.n, step.hold));
        break;
      default: {
        const quiet = await run.step(step, () => {
          if (step.op === 'abort') {
            const reason = run.reasons[step.signal];
            unpark(
              (w) => w.spec?.signal === step.signal,
              () => ({ rejected: reason }),
            );
          }
          if (step.op === 'advance')
            unpark(
              (w) => w.deadline <= Date.now(),
              () => false,
            );
        });
        if (quiet) {
          const waiting = waiters.filter((w) => w.actual === undefined && parked.includes(w));
          run.assertListeners(waiters.map((w) => ({ spec: w.spec, waiting: waiting.includes(w) })));
        }
      }
    }
  }

  run.abortEverything();
  unpark(
    (w) => w.spec?.signal !== undefined,
    (w) => ({ rejected: run.reasons[w.spec!.signal!] }),
  );
  unpark(
    (w) => w.spec?.timeout !== undefined,
    () => false,
  );
  await run.settle(
    'every party',
    () => partiesDone === parties.length,
    () => {
      if (parked.length > 0) start(notifyParty('all', { turns: 0, macro: false }));
    },
  );
  await tick();
  run.assertNoFailures();
  assert.equal(cond.locked(), false, 'the lock is still held after every party released it');
  for (const [i, w] of waiters.entries()) {
    assert.deepEqual(w.actual, w.expected, `wait #${i} (${JSON.stringify(w.spec)})`);
  }
  for (const controller of run.controllers) assert.equal(abortListeners(controller.signal), 0);
}

for (const lockKind of ['Lock', 'RLock'] as const) {
  test(`Condition over ${lockKind}: notify(n) wakes exactly the n longest live waiters, wait always returns holding the lock`, async (t) => {
    useMockClock(t);
    await fc.assert(
      fc.asyncProperty(fc.array(conditionStep, { maxLength: 50, size: 'max' }), async (program) => {
        await runProgram(new Run(t), lockKind, program);
      }),
      runs(120),
    );
  });
}
