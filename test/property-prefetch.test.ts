// Property (issue 11, point 4): whatever the interleaving of the owner's put/putNowait/
// getNowait and, on 2-3 consumer handles fetching ahead, get, getNowait, get with a timeout
// or a signal that aborts, for-await steps, breaks and disconnects, every item is received
// exactly once, each handle receives the items nobody gave back in increasing order, and
// once the handles are quiet the owner's qsize is what was accepted minus what was received.
// Seeded: a failure names the seed to replay with WEFT_PROPERTY_SEED.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Destination } from '../src/codec/descriptor.js';
import { HandleClosedError, Queue, QueueEmpty, QueueFull, type QueueHandle } from '../src/index.js';
import { GIVE_BACK } from '../src/queue/getters.js';
import { closeLocalHandles, localHandle } from './fixtures/proxy-local.js';
import { tick, until } from './support/async-helpers.js';
import { seededRandom } from './support/dead-party.js';
import { drain, lentOf } from './support/prefetch.js';

after(closeLocalHandles);

const RUNS = 12;
const STEPS = 60;

/** One consumer's handle, from its connection to its disconnect. */
interface Session {
  handle: QueueHandle<number>;
  close(): Promise<void>;
  iterator: AsyncIterator<number> | undefined;
  /** Items its code received. */
  got: number[];
  /** Items received by its direct calls and by each of its iterators, with the order each call was made in. */
  sequences: Map<unknown, [order: number, item: number][]>;
  /** Its calls not settled yet. */
  pending: number;
}

async function run(to: Destination, seed: number, checkOrder: boolean): Promise<void> {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const queue = new Queue<number>(pick([0, 0, 3]));
  const givenBack = new Set<number>();
  const giveBack = queue[GIVE_BACK].bind(queue);
  (queue as { [GIVE_BACK]: typeof giveBack })[GIVE_BACK] = (item, lent) => {
    givenBack.add(item);
    giveBack(item, lent);
  };
  const accepted: number[] = [];
  const byOwner: number[] = [];
  const sessions: Session[] = [];
  let ownerPuts = 0;
  let next = 0;
  const connect = async (): Promise<Session> => {
    const { handle, close } = await localHandle<QueueHandle<number>>(queue, to);
    const session: Session = {
      handle,
      close,
      iterator: undefined,
      got: [],
      pending: 0,
      sequences: new Map(),
    };
    sessions.push(session);
    return session;
  };
  const consumers = await Promise.all(Array.from({ length: pick([2, 3]) }, connect));
  /** Follows a consumer's call: what it got, and that it failed only as it may. */
  let calls = 0;
  const follow = (
    session: Session,
    call: Promise<number | IteratorResult<number>>,
    sequence: unknown = session,
  ) => {
    session.pending++;
    const order = calls++;
    call.then(
      (got) => {
        session.pending--;
        const item = typeof got === 'number' ? got : got.done ? undefined : got.value;
        if (item === undefined) return;
        session.got.push(item);
        if (!session.sequences.has(sequence)) session.sequences.set(sequence, []);
        session.sequences.get(sequence)!.push([order, item]);
      },
      (error: unknown) => {
        session.pending--;
        const expected =
          error instanceof QueueEmpty ||
          error instanceof HandleClosedError ||
          (error instanceof Error && error.message === 'aborted here');
        if (!expected) failures.push(error);
      },
    );
  };
  const failures: unknown[] = [];
  const owner = (promise: Promise<void>, item: number) => {
    ownerPuts++;
    promise.then(
      () => {
        ownerPuts--;
        accepted.push(item);
      },
      (error: unknown) => failures.push(error),
    );
  };

  for (let step = 0; step < STEPS; step++) {
    const c = Math.floor(random() * consumers.length);
    const session = consumers[c]!;
    switch (
      pick([
        'put',
        'put',
        'putNowait',
        'getNowait',
        'get',
        'get',
        'timeout',
        'abort',
        'handleNowait',
        'next',
        'next',
        'break',
        'disconnect',
        'pause',
        'pause',
      ] as const)
    ) {
      case 'put':
        owner(queue.put(next), next++);
        break;
      case 'putNowait':
        try {
          queue.putNowait(next);
          accepted.push(next++);
        } catch (error) {
          assert.ok(error instanceof QueueFull, `putNowait threw ${error}`);
        }
        break;
      case 'getNowait':
        try {
          byOwner.push(queue.getNowait());
        } catch (error) {
          assert.ok(error instanceof QueueEmpty, `getNowait threw ${error}`);
        }
        break;
      case 'get':
        follow(session, session.handle.get());
        break;
      case 'timeout':
        follow(session, session.handle.get({ timeout: random() * 10 }));
        break;
      case 'abort': {
        const controller = new AbortController();
        setTimeout(() => controller.abort(new Error('aborted here')), random() * 10);
        follow(session, session.handle.get({ signal: controller.signal }));
        break;
      }
      case 'handleNowait':
        follow(session, session.handle.getNowait());
        break;
      case 'next':
        session.iterator ??= session.handle[Symbol.asyncIterator]();
        follow(session, session.iterator.next(), session.iterator);
        break;
      case 'break':
        if (session.iterator !== undefined) follow(session, session.iterator.return!());
        session.iterator = undefined;
        break;
      case 'disconnect':
        await session.close();
        consumers[c] = await connect();
        break;
      case 'pause':
        await (random() < 0.5 ? tick() : sleep(random() * 3));
        break;
    }
  }

  // Wind down: feed the calls still waiting (timed and aborted ones end on their own).
  const received = () => byOwner.length + sessions.reduce((n, s) => n + s.got.length, 0);
  await until(() => {
    if (sessions.every((s) => s.pending === 0)) return true;
    // (Owner puts still waiting feed them first: a putNowait would be refused behind them.)
    if (ownerPuts === 0 && !queue.full()) {
      queue.putNowait(next);
      accepted.push(next++);
    }
    return false;
  }, `every consumer call settles (seed ${seed})`);
  for (const session of consumers) {
    if (session.iterator !== undefined) await session.iterator.return!();
  }
  // Quiet: each handle's confirmations reach the owner with its next call or at the end of
  // its turn, and an answer that nobody took comes back: the count converges to the model's
  // (a count that stays off fails here, at the hang guard).
  for (const session of consumers) await session.handle.qsize();
  await until(
    () => queue.qsize() === accepted.length - received(),
    `qsize converges to what was put and not taken (seed ${seed}): ${queue.qsize()} for ${accepted.length - received()}`,
  );

  for (const session of consumers) await session.close();
  await until(() => lentOf(queue) === 0, `the lent items come back (seed ${seed})`);
  await until(() => {
    byOwner.push(...drain(queue));
    return ownerPuts === 0 && queue.qsize() === 0;
  }, `the owner drains the queue (seed ${seed})`);

  assert.deepEqual(failures, [], `calls failed as they may not (seed ${seed})`);
  const all = [...byOwner, ...sessions.flatMap((s) => s.got)].sort((a, b) => a - b);
  assert.deepEqual(
    all,
    [...accepted].sort((a, b) => a - b),
    `every item once (seed ${seed})`,
  );
  if (!checkOrder) return;
  for (const session of sessions) {
    // The items nobody gave back, as the handle's calls settled, and by the order the calls were made.
    const kept = session.got.filter((item) => !givenBack.has(item));
    assert.deepEqual(
      kept,
      [...kept].sort((a, b) => a - b),
      `a handle's calls settle in the queue's order (seed ${seed})`,
    );
    const byCall = [...session.sequences.values()]
      .flat()
      .sort((a, b) => a[0] - b[0])
      .map(([, item]) => item)
      .filter((item) => !givenBack.has(item));
    assert.deepEqual(
      byCall,
      [...byCall].sort((a, b) => a - b),
      `a handle's calls get the queue's items in the order the calls were made (seed ${seed})`,
    );
  }
}

for (const to of ['thread', 'process'] as Destination[]) {
  describe(`random interleavings with consumers fetching ahead (${to} handles)`, () => {
    const base = Number(process.env.WEFT_PROPERTY_SEED ?? Date.now() % 1_000_000);
    test(`${RUNS} seeded runs: every item once, qsize`, { timeout: 120_000 }, async () => {
      for (let i = 0; i < RUNS; i++) await run(to, base + i, false);
    });
    // Several calls of different kinds outstanding at once on one handle (gets waiting for
    // items fetched ahead, plain timed gets, getNowait, an iterator's next): they settle in
    // the order they were made, each with the queue's next item for it.
    test(`${RUNS} seeded runs: per-handle order of concurrent calls`, {
      timeout: 120_000,
    }, async () => {
      for (let i = 0; i < RUNS; i++) await run(to, base + i, true);
    });
  });
}
