// Property: Lock, Semaphore(n) and BoundedSemaphore(n) under random acquirers — with timeouts,
// aborts, tryAcquire, and tasks killed while they wait — never admit more than n holders at once,
// leak no permit, settle every acquire as it should, grant in arrival order, leave no listener.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BoundedSemaphore, Lock, RuntimeError, Semaphore, spawn, type Task } from '../src/index.js';
import { Cancelled, taskObservers, tick } from './support/async-helpers.js';
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

type Kind = 'Lock' | 'Semaphore' | 'BoundedSemaphore';

type SyncStep =
  | CommonStep
  | { op: 'acquire'; spec: OptsSpec | undefined; hold: Hold; inTask: boolean }
  | { op: 'tryAcquire'; hold: Hold }
  | { op: 'kill'; which: number }
  | { op: 'overRelease' };

const syncStep: fc.Arbitrary<SyncStep> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('acquire' as const),
      spec: optsSpec,
      hold,
      inTask: fc.boolean(),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ op: fc.constant('tryAcquire' as const), hold }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('kill' as const), which: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ op: 'overRelease' as const }), weight: 1 },
  { arbitrary: commonStep, weight: 4 },
);

/** The primitive under test, seen as n permits (a Lock is one permit). */
interface Permits {
  readonly n: number;
  acquire: Lock['acquire'];
  tryAcquire(): boolean;
  release(): void;
  free(): number;
}

function makePermits(kind: Kind, n: number): Permits {
  if (kind === 'Lock') {
    const lock = new Lock();
    return {
      n: 1,
      acquire: (opts) => lock.acquire(opts),
      tryAcquire: () => lock.tryAcquire(),
      release: () => lock.release(),
      free: () => (lock.locked() ? 0 : 1),
    };
  }
  const sem = kind === 'Semaphore' ? new Semaphore(n) : new BoundedSemaphore(n);
  return {
    n,
    acquire: (opts) => sem.acquire(opts),
    tryAcquire: () => sem.tryAcquire(),
    release: () => sem.release(),
    free: () => sem.value,
  };
}

/** One party wanting a permit. Sequence numbers come from one counter, so they order everything. */
interface Acquirer {
  spec: OptsSpec | undefined;
  task: Task | undefined;
  killReason: Cancelled | undefined;
  /** When acquire() was called (undefined: a killed task that never started). */
  arrived: number | undefined;
  /** Whether it found no free permit when it arrived. */
  foundNone: boolean;
  /** When its acquire settled, in the order settlements happened. */
  left: number | undefined;
  result: boolean | 'rejected' | undefined;
  reason: unknown;
  done: boolean;
}

async function runProgram(run: Run, kind: Kind, n: number, program: SyncStep[]) {
  const permits = makePermits(kind, n);
  const acquirers: Acquirer[] = [];
  let clock = 0;
  let holders = 0;

  const holdThenRelease = async (duration: Hold) => {
    holders++;
    assert.ok(holders <= permits.n, `${holders} holders of ${permits.n} permits`);
    await holdFor(duration);
    holders--;
    permits.release();
  };

  const acquire = async (me: Acquirer, duration: Hold) => {
    me.arrived = clock++;
    me.foundNone = permits.free() === 0;
    let ok: boolean;
    try {
      ok = await permits.acquire(run.opts(me.spec));
    } catch (err) {
      me.left = clock++;
      me.result = 'rejected';
      me.reason = err;
      return;
    }
    me.left = clock++;
    me.result = ok;
    if (ok) await holdThenRelease(duration);
  };

  const checkQuietState = () => {
    assert.equal(permits.n - permits.free(), holders, 'permits out = holders');
    const waiting = acquirers.filter((a) => a.arrived !== undefined && a.left === undefined);
    if (waiting.length > 0) assert.equal(permits.free(), 0, 'a waiter waits beside a free permit');
    for (const a of waiting)
      assert.equal(a.killReason, undefined, 'an acquire waits in a killed task');
    run.assertListeners(acquirers.map((a) => ({ spec: a.spec, waiting: waiting.includes(a) })));
  };

  for (const step of program) {
    switch (step.op) {
      case 'acquire': {
        const me: Acquirer = {
          spec: step.spec,
          task: undefined,
          killReason: undefined,
          arrived: undefined,
          foundNone: false,
          left: undefined,
          result: undefined,
          reason: undefined,
          done: false,
        };
        acquirers.push(me);
        const body = () => acquire(me, step.hold);
        let party: Promise<unknown>;
        if (step.inTask) {
          me.task = spawn(body);
          party = Promise.resolve(me.task).catch((err: unknown) => {
            if (err !== me.killReason) throw err;
          });
        } else {
          party = body();
        }
        run.party(async () => {
          await party;
          me.done = true;
        });
        break;
      }
      case 'tryAcquire': {
        const arrived = clock++;
        if (!permits.tryAcquire()) break;
        const me: Acquirer = {
          spec: undefined,
          task: undefined,
          killReason: undefined,
          arrived,
          foundNone: false,
          left: undefined,
          result: true,
          reason: undefined,
          done: false,
        };
        acquirers.push(me);
        run.party(async () => {
          // One microtask hop, as an await of a granted acquire: grants settled before this one log first.
          await null;
          me.left = clock++;
          await holdThenRelease(step.hold);
          me.done = true;
        });
        break;
      }
      case 'kill': {
        const inTasks = acquirers.filter((a) => a.task !== undefined);
        if (inTasks.length === 0) break;
        const victim = inTasks[step.which % inTasks.length]!;
        victim.killReason ??= new Cancelled(`task ${victim.task!.id} killed`);
        void victim.task!.kill(victim.killReason);
        break;
      }
      case 'overRelease':
        if (kind === 'BoundedSemaphore' && permits.free() === permits.n) {
          assert.throws(() => permits.release(), RuntimeError);
          assert.equal(permits.free(), permits.n, 'a refused release changed the value');
        }
        break;
      default:
        if (await run.step(step)) checkQuietState();
    }
  }

  run.abortEverything();
  await run.settle('every acquirer', () => acquirers.every((a) => a.done));
  await tick();
  checkQuietState();

  assert.equal(holders, 0);
  assert.equal(permits.free(), permits.n, 'a permit leaked');
  assert.equal(permits.tryAcquire(), true);
  permits.release();

  for (const a of acquirers) {
    if (a.task !== undefined) assert.equal(taskObservers(a.task), 0, 'task signal listener');
    if (a.arrived === undefined) {
      assert.ok(a.killReason !== undefined, 'only a task killed before it started never arrives');
      continue;
    }
    if (a.result === false) assert.ok(a.spec?.timeout !== undefined, 'false without a timeout');
    if (a.result === 'rejected') {
      assert.ok(
        run.abortedWith(a.spec, a.reason) ||
          (a.killReason !== undefined && a.reason === a.killReason),
        `acquire rejected with ${a.reason}`,
      );
    }
  }

  // No barging: while an earlier arrival still waited, nobody who arrived after it was granted.
  for (const waiter of acquirers.filter((a) => a.foundNone)) {
    for (const later of acquirers) {
      if (later.result !== true || later.arrived! < waiter.arrived!) continue;
      if (later === waiter) continue;
      assert.ok(
        waiter.left! < later.left!,
        `arrival ${later.arrived} was granted before arrival ${waiter.arrived} stopped waiting`,
      );
    }
  }
}

const kinds: { kind: Kind; n: fc.Arbitrary<number> }[] = [
  { kind: 'Lock', n: fc.constant(1) },
  { kind: 'Semaphore', n: fc.integer({ min: 1, max: 3 }) },
  { kind: 'BoundedSemaphore', n: fc.integer({ min: 1, max: 3 }) },
];

for (const { kind, n } of kinds) {
  test(`${kind}: random acquirers, timeouts, aborts and kills keep exclusion, FIFO and every permit`, async (t) => {
    useMockClock(t);
    await fc.assert(
      fc.asyncProperty(
        n,
        fc.array(syncStep, { maxLength: 50, size: 'max' }),
        async (size, program) => {
          const run = new Run(t);
          await runProgram(run, kind, size, program);
          run.assertNoFailures();
        },
      ),
      runs(150),
    );
  });
}
