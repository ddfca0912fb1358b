// RedisLock, RedisSemaphore and RedisEvent when things go wrong: holders killed with
// SIGKILL (the lock goes to the next acquirer once the lease runs out, abandoned; permits
// come back), a holder paused past its lease (its release is refused with LeaseLostError),
// a Redis restart under waiters (they wake and retry on the new server), and waits that
// time out or are aborted leaving nothing in Redis.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { LeaseLostError, RuntimeError } from '../src/index.js';
import { RedisEvent, RedisLock, RedisSemaphore } from '../src/redis/index.js';
import { Cancelled, sleep, track, until } from './support/async-helpers.js';
import { seededRandom } from './support/dead-party.js';
import { killChildren, startChild } from './support/redis-children.js';
import { skipUnlessOwnServer, startRedis, type TestRedis } from './support/redis-server.js';

/** Long enough that a busy machine renews in time, short enough to wait out. */
const LEASE_MS = 1_000;
/** Far beyond any wait these tests expect: a guard against a hang, not a timing. */
const PATIENCE = { timeout: 60_000 } as const;

let server: TestRedis;
let probe: Redis;
before(async () => {
  server = await startRedis();
  probe = new Redis(server.url, { maxRetriesPerRequest: null });
  probe.on('error', () => {});
});
after(async () => {
  await killChildren();
  probe.disconnect();
  await server.stop();
});

let made = 0;
const freshName = (kind: string) => `faults-${kind}-${process.pid}-${made++}`;
const options = { redis: '', lease: LEASE_MS };
const connect = () => ({ ...options, redis: server.url });

describe('a holder that dies', { timeout: 240_000 }, () => {
  test('killed holders in a loop: each time the lock goes to the waiter after the lease, abandoned, with a larger token', async () => {
    const name = freshName('lock');
    await using lock = new RedisLock(name, connect());
    let lastToken = 0;
    for (let round = 0; round < 3; round++) {
      const child = startChild('hold-lock', name, server.url, LEASE_MS);
      const { held } = (await child.next((message) => 'held' in message)) as { held: number };
      assert.ok(held > lastToken, `the child's token ${held} is above ${lastToken}`);
      const next = track(lock.acquire(PATIENCE));
      await sleep(LEASE_MS / 2);
      assert.equal(next.state, 'pending', 'the child holds the lock while it lives');
      await child.kill();
      assert.equal(await next.promise, true);
      assert.equal(lock.abandoned, true, `round ${round}: the dead holder's lock is abandoned`);
      assert.ok(lock.fencingToken! > held, 'the new hold has a larger fencing token');
      lastToken = lock.fencingToken!;
      await lock.release();
      assert.equal(lock.abandoned, false);
    }
  });

  test('a holder paused past its lease loses the lock; its release is refused with LeaseLostError', async () => {
    const name = freshName('lock');
    await using lock = new RedisLock(name, connect());
    const child = startChild('hold-lock', name, server.url, LEASE_MS);
    const { held } = (await child.next((message) => 'held' in message)) as { held: number };
    child.process.kill('SIGSTOP');
    try {
      assert.equal(await lock.acquire(PATIENCE), true);
      assert.equal(lock.abandoned, true);
      assert.ok(lock.fencingToken! > held);
    } finally {
      child.process.kill('SIGCONT');
    }
    child.process.send('release');
    const answer = await child.next((message) => 'released' in message);
    assert.deepEqual(answer, { released: false, error: 'LeaseLostError' });
    assert.equal(await lock.locked(), true, 'the refused release left the new holder its lock');
    await lock.release();
    await child.kill();
  });

  test('a holder paused past its lease, with nobody taking the lock since, still releases', async () => {
    const name = freshName('lock');
    await using lock = new RedisLock(name, connect());
    const child = startChild('hold-lock', name, server.url, LEASE_MS);
    await child.next((message) => 'held' in message);
    child.process.kill('SIGSTOP');
    try {
      await until(async () => !(await lock.locked()), "the paused holder's lease ran out");
    } finally {
      child.process.kill('SIGCONT');
    }
    child.process.send('release');
    assert.deepEqual(await child.next((message) => 'released' in message), { released: true });
    assert.equal(await lock.acquire({ timeout: 0 }), true);
    assert.equal(lock.abandoned, false, 'the release was seen: nothing was abandoned');
    await lock.release();
    await child.kill();
  });

  test('a semaphore keeps its permits while holders are killed at random', async () => {
    const name = freshName('semaphore');
    const random = seededRandom(14);
    const permits = 3;
    const holdersKey = `weft:{semaphore:${name}}:holders`;
    const churn = () => startChild('churn-permits', name, server.url, LEASE_MS, permits);
    const children = Array.from({ length: 4 }, churn);
    await Promise.all(children.map((child) => child.next((message) => 'holding' in message)));
    let most = 0;
    for (let kill = 0; kill < 6; kill++) {
      const until = performance.now() + random() * 300;
      while (performance.now() < until) {
        most = Math.max(most, await probe.zcard(holdersKey));
        await sleep(5);
      }
      const [victim] = children.splice(Math.floor(random() * children.length), 1);
      await victim!.kill();
      children.push(churn());
    }
    await Promise.all(children.map((child) => child.next((message) => 'holding' in message)));
    await Promise.all(children.map((child) => child.kill()));
    assert.ok(most <= permits, `at most ${permits} holders at once, saw ${most}`);
    await using sem = new RedisSemaphore(name, permits, connect());
    await until(async () => (await sem.value) === permits, 'the dead holders’ permits came back');
    for (let i = 0; i < permits; i++) assert.equal(await sem.tryAcquire(), true);
    assert.equal(await sem.tryAcquire(), false, 'no permit was made up');
    await sem.release(permits);
  });
});

describe('a live holder keeps its hold', { timeout: 60_000 }, () => {
  test('a lock and a permit held for several leases stay held: their holder renews them', async () => {
    const lease = LEASE_MS;
    await using lock = new RedisLock(freshName('lock'), { redis: server.url, lease });
    await using other = new RedisLock(lock.name, { redis: server.url, lease });
    await using sem = new RedisSemaphore(freshName('semaphore'), 1, { redis: server.url, lease });
    await using otherSem = new RedisSemaphore(sem.name, 1, { redis: server.url, lease });
    assert.equal(await lock.acquire(), true);
    assert.equal(await sem.acquire(), true);
    // Handed over by a release, a hold runs on the releaser's lease until renewed: check both.
    const handed = track(other.acquire(PATIENCE));
    await sleep(3 * lease);
    assert.equal(await lock.locked(), true);
    assert.equal(await otherSem.tryAcquire(), false);
    assert.equal(handed.state, 'pending');
    await lock.release();
    assert.equal(await handed.promise, true);
    assert.equal(other.abandoned, false);
    await sleep(3 * lease);
    assert.equal(await lock.tryAcquire(), false, 'the handed-over hold is renewed too');
    await other.release();
    await sem.release();
    assert.equal(await otherSem.tryAcquire(), true);
  });
});

describe('a lease lost under a guard', { timeout: 60_000 }, () => {
  test('await using throws LeaseLostError; using reports it as a HandleReleaseError warning', async () => {
    await using lock = new RedisLock(freshName('lock'), connect());
    const owner = `weft:{lock:${lock.name}}:owner`;
    await assert.rejects(async () => {
      await using _held = await lock.guard();
      await probe.set(owner, 'someone-else', 'PX', LEASE_MS); // as if the lease ran out and another took it
    }, LeaseLostError);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      await until(async () => !(await lock.locked()), 'the other hold ran out');
      {
        using _held = await lock.guard();
        await probe.set(owner, 'someone-else', 'PX', LEASE_MS);
      }
      await until(() => warnings.length > 0, 'the lost release was reported');
      assert.equal(warnings[0]!.name, 'HandleReleaseError');
      assert.ok(warnings[0]!.cause instanceof LeaseLostError);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('Redis restarts while parties wait', {
  timeout: 120_000,
  skip: skipUnlessOwnServer(),
}, () => {
  test('waiters of a lock, a semaphore and an event wake and retry on the new server', async () => {
    await using holder = new RedisLock(freshName('lock'), connect());
    await using waiter = new RedisLock(holder.name, connect());
    await using sem = new RedisSemaphore(freshName('semaphore'), 1, connect());
    await using semWaiter = new RedisSemaphore(sem.name, 1, connect());
    await using event = new RedisEvent(freshName('event'), { redis: server.url });
    await using eventWaiter = new RedisEvent(event.name, { redis: server.url });
    assert.equal(await holder.acquire(), true);
    assert.equal(await sem.acquire(), true);
    const lockWait = track(waiter.acquire(PATIENCE));
    const semWait = track(semWaiter.acquire(PATIENCE));
    const eventWait = track(eventWaiter.wait(PATIENCE));
    await until(
      async () => (await probe.zcard(`weft:{lock:${holder.name}}:queue`)) === 1,
      'queued',
    );
    await server.kill();
    await server.restart();
    // The new server knows nothing: the waiters are put back in line and find the lock and
    // the permit free; the event waits on for a set made on the new server.
    assert.equal(await lockWait.promise, true);
    assert.equal(await semWait.promise, true);
    await assert.rejects(holder.release(), LeaseLostError);
    await assert.rejects(sem.release(), LeaseLostError);
    assert.equal(eventWait.state, 'pending');
    await event.set();
    assert.equal(await eventWait.promise, true);
    await waiter.release();
    await semWaiter.release();
  });
});

describe('waits that give up leave nothing in Redis', { timeout: 60_000 }, () => {
  const numsub = async (channel: string) => (await probe.pubsub('NUMSUB', channel))[1] as number;

  test('a lock acquire that times out or is aborted leaves no place in line and no subscription', async () => {
    await using lock = new RedisLock(freshName('lock'), connect());
    await using other = new RedisLock(lock.name, connect());
    const prefix = `weft:{lock:${lock.name}}`;
    await lock.acquire();
    assert.equal(await other.acquire({ timeout: 50 }), false);
    const controller = new AbortController();
    const aborted = other.acquire({ signal: controller.signal });
    await until(async () => (await probe.zcard(`${prefix}:queue`)) === 1, 'queued');
    controller.abort(new Cancelled('stop'));
    await assert.rejects(aborted, Cancelled);
    await until(async () => (await probe.zcard(`${prefix}:queue`)) === 0, 'the line is empty');
    assert.equal(await probe.zcard(`${prefix}:alive`), 0);
    await until(async () => (await numsub(`${prefix}:grants`)) === 0, 'no subscription left');
    await lock.release();
    assert.equal(await lock.locked(), false, 'nobody was handed the lock');
  });

  test('a semaphore acquire and an event wait that time out leave no subscription', async () => {
    await using sem = new RedisSemaphore(freshName('semaphore'), 0, connect());
    assert.equal(await sem.acquire({ timeout: 50 }), false);
    await using event = new RedisEvent(freshName('event'), { redis: server.url });
    assert.equal(await event.wait({ timeout: 50 }), false);
    await until(
      async () =>
        (await numsub(`weft:{semaphore:${sem.name}}:grants`)) === 0 &&
        (await numsub(`weft:{event:${event.name}}:sets`)) === 0,
      'no subscription left',
    );
    assert.equal(await probe.zcard(`weft:{semaphore:${sem.name}}:queue`), 0);
  });

  test('a waiter checks Redis about three times a lease, not in a loop', async () => {
    const lease = 3_000;
    await using lock = new RedisLock(freshName('lock'), { redis: server.url, lease });
    await using other = new RedisLock(lock.name, { redis: server.url, lease });
    await lock.acquire();
    const calls = async () => {
      const stats = await probe.info('commandstats');
      return Number(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    };
    const waiting = other.acquire();
    await sleep(100);
    const before = await calls();
    const started = performance.now();
    await sleep(lease);
    const checks = (await calls()) - before;
    const elapsed = performance.now() - started;
    // The holder renews every third of the lease, the waiter checks as often: that is all.
    const most = 2 * Math.ceil(elapsed / (lease / 3)) + 2;
    assert.ok(
      checks <= most,
      `${checks} scripts ran in ${Math.round(elapsed)} ms (at most ${most})`,
    );
    await lock.release();
    assert.equal(await waiting, true);
    await other.release();
  });
});

describe('bad input', { timeout: 60_000 }, () => {
  test('names, options and values are refused at the call, saying what was wrong', async () => {
    assert.throws(() => new RedisLock('a b'), TypeError);
    assert.throws(() => new RedisLock('x', { leese: 5 } as never), /unknown option "leese"/);
    assert.throws(() => new RedisLock('x', { lease: 5 }), /lease must be a whole number/);
    assert.throws(() => new RedisSemaphore('x', -1), /value must be an integer >= 0/);
    assert.throws(() => new RedisSemaphore('x', 1, { bounded: 'yes' as never }), /bounded/);
    assert.throws(() => new RedisEvent('x', { lease: 5 } as never), /unknown option "lease"/);
    const name = freshName('semaphore');
    await using three = new RedisSemaphore(name, 3, connect());
    await using five = new RedisSemaphore(name, 5, connect());
    assert.equal(await three.value, 3);
    await assert.rejects(five.acquire(), (error: Error) => {
      assert.ok(error instanceof RuntimeError);
      assert.match(error.message, /has value 3 in Redis, this object was made with 5/);
      return true;
    });
  });

  test('a closed object refuses calls; close gives back what it held', async () => {
    const lock = new RedisLock(freshName('lock'), connect());
    await lock.acquire();
    await lock.close();
    await assert.rejects(lock.acquire(), /closed/);
    await using again = new RedisLock(lock.name, connect());
    assert.equal(await again.tryAcquire(), true, 'close released the lock');
    assert.equal(again.abandoned, false);
  });
});
