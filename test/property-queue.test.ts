// Property: whatever the interleaving of puts and gets, timeouts, aborts and (in half the runs)
// a graceful or immediate shutdown somewhere, a queue loses no accepted item (an immediate
// shutdown drops exactly what was stored), duplicates none, invents none, settles every call,
// leaves no listener behind and keeps its taskDone/join count right. Runs against every queue
// kind, bounded and unbounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  SimpleQueue,
} from '../src/index.js';
import { GETTERS } from '../src/queue/getters.js';
import { tick } from './support/async-helpers.js';
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

type Kind = 'Queue' | 'LifoQueue' | 'PriorityQueue' | 'SimpleQueue';
/** Items carry a unique id; PriorityQueue items are `[priority, id]` so equal priorities occur. */
type Item = number | [number, number];

type QueueStep =
  | CommonStep
  | { op: 'put'; spec: OptsSpec | undefined; priority: number }
  | { op: 'putNowait'; priority: number }
  | { op: 'get'; spec: OptsSpec | undefined }
  | { op: 'getNowait' }
  | { op: 'shutdown'; immediate: boolean };

const priority = fc.integer({ min: 0, max: 3 });
const queueStep: fc.Arbitrary<QueueStep> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constant('put' as const), spec: optsSpec, priority }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant('putNowait' as const), priority }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('get' as const), spec: optsSpec }), weight: 3 },
  { arbitrary: fc.constant({ op: 'getNowait' as const }), weight: 1 },
  { arbitrary: commonStep, weight: 3 },
);

interface Call {
  kind: 'put' | 'get';
  spec: OptsSpec | undefined;
  id: number | undefined;
  outcome: Outcome<unknown>;
  readonly waiting: boolean;
}

function idOf(item: Item): number {
  return typeof item === 'number' ? item : item[1];
}

function makeQueue(kind: Kind, maxsize: number): Queue<Item> {
  switch (kind) {
    case 'Queue':
      return new Queue(maxsize);
    case 'LifoQueue':
      return new LifoQueue(maxsize);
    case 'PriorityQueue':
      return new PriorityQueue(maxsize);
    case 'SimpleQueue':
      return new SimpleQueue();
  }
}

/** A program, and where (if anywhere) it shuts the queue down. */
const queueProgram = fc
  .tuple(
    fc.array(queueStep, { maxLength: 50, size: 'max' }),
    fc.option(fc.record({ at: fc.nat(50), immediate: fc.boolean() }), { freq: 2 }),
  )
  .map(([steps, shutdown]): QueueStep[] => {
    if (shutdown === null) return steps;
    const at = Math.min(shutdown.at, steps.length);
    return [
      ...steps.slice(0, at),
      { op: 'shutdown', immediate: shutdown.immediate },
      ...steps.slice(at),
    ];
  });

async function runProgram(run: Run, kind: Kind, maxsize: number, program: QueueStep[]) {
  const queue = makeQueue(kind, maxsize);
  let shutDown = false;
  /** How many stored items an immediate shutdown dropped. */
  let dropped = 0;
  const calls: Call[] = [];
  const accepted: number[] = [];
  const rejectedPuts: number[] = [];
  /** Ids in the order their items left the queue. */
  const received: number[] = [];
  let nextId = 0;
  const makeItem = (prio: number): Item => (kind === 'PriorityQueue' ? [prio, nextId++] : nextId++);
  const track = (
    kind: Call['kind'],
    spec: OptsSpec | undefined,
    id: number | undefined,
    promise: Promise<unknown>,
  ) => {
    const outcome = observe(promise, (o) => {
      if (kind === 'get' && o.state === 'fulfilled') received.push(idOf(o.value as Item));
      if (kind === 'put' && o.state === 'fulfilled') accepted.push(id!);
      if (kind === 'put' && o.state === 'rejected') rejectedPuts.push(id!);
    });
    calls.push({
      kind,
      spec,
      id,
      outcome,
      get waiting() {
        return outcome.state === 'pending';
      },
    });
  };
  // getNowait/putNowait act synchronously; logging them through a microtask keeps `received`
  // in the order items really left the queue (gets resolved earlier log first).
  const logLater = (list: number[], id: number) => queueMicrotask(() => list.push(id));

  const checkQuietState = () => {
    const size = queue.qsize();
    assert.equal(
      size,
      accepted.length - received.length - dropped,
      'qsize = accepted - received - dropped',
    );
    if (maxsize > 0 && kind !== 'SimpleQueue') assert.ok(size <= maxsize, 'qsize exceeds maxsize');
    const waitingGets = calls.filter((c) => c.kind === 'get' && c.waiting).length;
    const waitingPuts = calls.filter((c) => c.kind === 'put' && c.waiting).length;
    assert.equal(queue[GETTERS].length, waitingGets, 'parked getters = pending gets');
    if (waitingGets > 0) assert.equal(size, 0, 'a getter waits although items are stored');
    if (waitingPuts > 0) assert.ok(queue.full(), 'a putter waits although there is room');
    if (shutDown) assert.equal(waitingGets + waitingPuts, 0, 'a call still waits after shutdown');
    run.assertListeners(calls);
  };

  for (const step of program) {
    switch (step.op) {
      case 'put': {
        const item = makeItem(step.priority);
        track('put', step.spec, idOf(item), queue.put(item, run.opts(step.spec)));
        break;
      }
      case 'putNowait': {
        const item = makeItem(step.priority);
        try {
          queue.putNowait(item);
          logLater(accepted, idOf(item));
        } catch (err) {
          assert.ok(
            err instanceof (shutDown ? QueueShutDown : QueueFull),
            `putNowait threw ${err}`,
          );
        }
        break;
      }
      case 'get':
        track('get', step.spec, undefined, queue.get(run.opts(step.spec)));
        break;
      case 'getNowait':
        try {
          logLater(received, idOf(queue.getNowait()));
        } catch (err) {
          assert.ok(
            err instanceof (shutDown ? QueueShutDown : QueueEmpty),
            `getNowait threw ${err}`,
          );
        }
        break;
      case 'shutdown':
        if (step.immediate) dropped = queue.qsize();
        queue.shutdown(step.immediate);
        shutDown = true;
        break;
      default:
        if (await run.step(step)) checkQuietState();
    }
  }

  // Wind down: abort and time out what can be, feed waiting getters, drain what is stored.
  run.abortEverything();
  await tick();
  await run.settle(
    'the remaining calls',
    () => calls.every((c) => !c.waiting) && queue.qsize() === 0,
    () => {
      if (calls.some((c) => c.kind === 'get' && c.waiting)) {
        const item = makeItem(0);
        queue.putNowait(item);
        logLater(accepted, idOf(item));
      } else if (queue.qsize() > 0) {
        logLater(received, idOf(queue.getNowait()));
      }
    },
  );
  await tick();
  checkQuietState();

  for (const call of calls) {
    if (call.outcome.state !== 'rejected') continue;
    const { reason } = call.outcome;
    const timedOut =
      call.kind === 'put' ? reason instanceof QueueFull : reason instanceof QueueEmpty;
    assert.ok(
      (timedOut && call.spec?.timeout !== undefined) ||
        (shutDown && reason instanceof QueueShutDown) ||
        run.abortedWith(call.spec, reason),
      `${call.kind} rejected with ${reason}`,
    );
  }
  const sortedReceived = [...received].sort((a, b) => a - b);
  assert.equal(new Set(received).size, received.length, 'an item was received twice');
  for (const id of received)
    assert.ok(accepted.includes(id), `item ${id} was received, never accepted`);
  assert.equal(received.length, accepted.length - dropped, 'an accepted item was lost');
  for (const id of rejectedPuts)
    assert.ok(!received.includes(id), `rejected put ${id} was received`);
  if (kind === 'Queue' || kind === 'SimpleQueue') {
    // An immediate shutdown drops what is still stored, the newest items: received is a prefix of accepted.
    assert.deepEqual(
      received,
      sortedReceived,
      'a FIFO queue hands items out in the order accepted',
    );
    assert.deepEqual(received, [...accepted].sort((a, b) => a - b).slice(0, received.length));
  }

  // Every accepted item counts as unfinished until its taskDone.
  const joined = observe(queue.join());
  for (let i = 1; i < received.length; i++) queue.taskDone();
  await tick();
  if (received.length > 0) {
    assert.equal(joined.state, 'pending', 'join waits for the last taskDone');
    assert.equal(await queue.join({ timeout: 0 }), false);
    queue.taskDone();
  }
  await tick();
  assert.equal(joined.value, true);
  assert.throws(() => queue.taskDone(), RuntimeError);
}

const kinds: { kind: Kind; maxsize: fc.Arbitrary<number> }[] = [
  { kind: 'Queue', maxsize: fc.integer({ min: 0, max: 3 }) },
  { kind: 'LifoQueue', maxsize: fc.integer({ min: 0, max: 3 }) },
  { kind: 'PriorityQueue', maxsize: fc.integer({ min: 0, max: 3 }) },
  { kind: 'SimpleQueue', maxsize: fc.constant(0) },
];

for (const { kind, maxsize } of kinds) {
  test(`${kind}: random puts, gets, timeouts, aborts and shutdowns lose, duplicate and invent no item`, async (t) => {
    useMockClock(t);
    await fc.assert(
      fc.asyncProperty(maxsize, queueProgram, async (size, program) => {
        const run = new Run(t);
        await runProgram(run, kind, size, program);
        run.assertNoFailures();
      }),
      runs(150),
    );
  });
}
