// Property: select() over three queues, racing random puts, direct gets, shutdowns, timeouts,
// aborts and task kills, takes exactly one item per successful call: every item accepted is
// received exactly once overall (by a select, a getNowait or the final drain), an item found
// at call time comes from the first non-empty queue in the caller's order, and no branch or
// listener is left behind on any queue or signal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  Queue,
  QueueEmpty,
  QueueShutDown,
  type Selected,
  select,
  spawn,
  type Task,
} from '../src/index.js';
import { GETTERS } from '../src/queue/getters.js';
import { Cancelled, taskObservers, tick } from './support/async-helpers.js';
import {
  type CommonStep,
  commonStep,
  type OptsSpec,
  type Outcome,
  observe,
  optsSpec,
  Run,
  runs,
  useMockClock,
} from './support/property-harness.js';

const QUEUES = 3;

interface Item {
  queue: number;
  id: number;
}

type SelectStep =
  | CommonStep
  | { op: 'put'; queue: number }
  | { op: 'getNowait'; queue: number }
  | { op: 'select'; order: number[]; spec: OptsSpec | undefined; inTask: boolean }
  | { op: 'kill'; which: number }
  | { op: 'shutdown' };

const queueIndex = fc.nat(QUEUES - 1);
const selectStep: fc.Arbitrary<SelectStep> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('put' as const), queue: queueIndex }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('getNowait' as const), queue: queueIndex }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant('select' as const),
      // Any order, any subset, repeats allowed: select must take one item whatever the list.
      order: fc.array(queueIndex, { minLength: 1, maxLength: 4 }),
      spec: optsSpec,
      inTask: fc.boolean(),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ op: fc.constant('kill' as const), which: fc.nat() }), weight: 1 },
  // Only the last queue is ever shut down, so that most selects still have an open queue to wait on.
  { arbitrary: fc.constant({ op: 'shutdown' as const }), weight: 1 },
  { arbitrary: commonStep, weight: 4 },
);

interface SelectCall {
  order: number[];
  spec: OptsSpec | undefined;
  task: Task | undefined;
  killReason: Cancelled | undefined;
  /** The queue select had to take from at once (it had an item when select was called). */
  immediate: number | undefined;
  outcome: Outcome<Selected<Item>>;
}

async function runProgram(run: Run, program: SelectStep[]) {
  const queues = Array.from({ length: QUEUES }, () => new Queue<Item>());
  const calls: SelectCall[] = [];
  const accepted: number[] = [];
  const received: number[] = [];
  let nextId = 0;
  const waiting = (call: SelectCall) => call.outcome.state === 'pending';

  const putNowait = (queue: number) => {
    const item = { queue, id: nextId++ };
    try {
      queues[queue]!.putNowait(item);
      accepted.push(item.id);
    } catch (err) {
      assert.ok(err instanceof QueueShutDown, `putNowait threw ${err}`);
    }
  };
  const getNowait = (queue: number): boolean => {
    try {
      const item = queues[queue]!.getNowait();
      assert.equal(item.queue, queue, 'an item came out of another queue');
      received.push(item.id);
      return true;
    } catch (err) {
      assert.ok(
        err instanceof QueueEmpty || err instanceof QueueShutDown,
        `getNowait threw ${err}`,
      );
      return false;
    }
  };
  const startSelect = (step: Extract<SelectStep, { op: 'select' }>) => {
    const call: SelectCall = {
      order: step.order,
      spec: step.spec,
      task: undefined,
      killReason: undefined,
      immediate: undefined,
      outcome: undefined!,
    };
    const selectNow = () => {
      const mayTake = !run.opts(step.spec)?.signal?.aborted;
      const first = step.order.find((i) => queues[i]!.qsize() > 0);
      const before = queues.map((q) => q.qsize());
      const selected = select(
        step.order.map((i) => queues[i]!),
        run.opts(step.spec),
      );
      const took = before.map((size, i) => size - queues[i]!.qsize());
      const expectTook = before.map((_, i) => (mayTake && i === first ? 1 : 0));
      assert.deepEqual(took, expectTook, 'select took from the wrong queue at call time');
      if (mayTake) call.immediate = first;
      return selected;
    };
    if (step.inTask) {
      const task = spawn(selectNow);
      call.task = task;
      call.outcome = observe(Promise.resolve(task));
    } else {
      call.outcome = observe(selectNow());
    }
    calls.push(call);
  };

  const checkQuietState = () => {
    for (const [i, queue] of queues.entries()) {
      const parked = calls.filter((c) => waiting(c) && c.order.includes(i)).length;
      assert.equal(queue[GETTERS].length, queue.shutDown ? 0 : parked, `branches on queue ${i}`);
      if (parked > 0) assert.equal(queue.qsize(), 0, `a select waits while queue ${i} has items`);
    }
    run.assertListeners(calls.map((c) => ({ spec: c.spec, waiting: waiting(c) })));
    for (const call of calls) {
      if (call.killReason !== undefined)
        assert.ok(!waiting(call), 'a select waits in a killed task');
    }
  };

  for (const step of program) {
    switch (step.op) {
      case 'put':
        putNowait(step.queue);
        break;
      case 'getNowait':
        getNowait(step.queue);
        break;
      case 'select':
        startSelect(step);
        break;
      case 'kill': {
        const inTasks = calls.filter((c) => c.task !== undefined);
        if (inTasks.length === 0) break;
        const victim = inTasks[step.which % inTasks.length]!;
        victim.killReason ??= new Cancelled(`task ${victim.task!.id} killed`);
        void victim.task!.kill(victim.killReason);
        break;
      }
      case 'shutdown':
        queues[QUEUES - 1]!.shutdown();
        break;
      default:
        if (await run.step(step)) checkQuietState();
    }
  }

  // Wind down: abort and time out what can be, feed waiting selects, then drain every queue.
  run.abortEverything();
  await tick();
  await run.settle(
    'every select',
    () => !calls.some(waiting),
    () => {
      const call = calls.find(waiting);
      const open = call?.order.find((i) => !queues[i]!.shutDown);
      if (open !== undefined) putNowait(open);
    },
  );
  for (const i of queues.keys()) while (getNowait(i)) {}
  await tick();
  checkQuietState();

  for (const call of calls) {
    const { state, value, reason } = call.outcome;
    if (reason instanceof assert.AssertionError) throw reason; // failed inside a task
    if (state === 'fulfilled') {
      const from = queues.indexOf(value!.queue);
      assert.ok(call.order.includes(from), 'select took from a queue it was not given');
      assert.equal(value!.item.queue, from, 'select reported the wrong queue for its item');
      if (call.immediate !== undefined) assert.equal(from, call.immediate);
      received.push(value!.item.id);
      continue;
    }
    if (reason instanceof QueueEmpty)
      assert.ok(call.spec?.timeout !== undefined, 'QueueEmpty without a timeout');
    else if (reason instanceof QueueShutDown) {
      assert.ok(
        call.order.every((i) => queues[i]!.shutDown),
        'QueueShutDown with a queue open',
      );
    } else {
      assert.ok(
        run.abortedWith(call.spec, reason) ||
          (call.killReason !== undefined && reason === call.killReason),
        `select rejected with ${reason}`,
      );
    }
  }
  const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);
  assert.deepEqual(sorted(received), sorted(accepted), 'every accepted item received exactly once');
  for (const call of calls) {
    if (call.task !== undefined) assert.equal(taskObservers(call.task), 0);
  }
}

test('select: random selects, puts, gets, shutdowns, timeouts, aborts and kills take each item exactly once', async (t) => {
  useMockClock(t);
  await fc.assert(
    fc.asyncProperty(fc.array(selectStep, { maxLength: 50, size: 'max' }), async (program) => {
      const run = new Run(t);
      await runProgram(run, program);
      run.assertNoFailures();
    }),
    runs(200),
  );
});
