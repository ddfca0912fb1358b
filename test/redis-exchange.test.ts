// RedisExchange: the Cookbook's exchange over Redis pub/sub — fan-out to subscribers in
// several processes, in order, values beyond JSON, a failing subscriber that stops nobody,
// and a subscription held only while there are subscribers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { Queue, RuntimeError } from '../src/index.js';
import { RedisExchange } from '../src/redis/index.js';
import { until } from './support/async-helpers.js';
import { killChildren, startChild } from './support/redis-children.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

let server: TestRedis;
let probe: Redis;
before(async () => {
  server = await startRedis();
  probe = new Redis(server.url);
});
after(async () => {
  await killChildren();
  probe.disconnect();
  await server.stop();
});

let made = 0;
const freshName = () => `exchange-${process.pid}-${made++}`;
const channelOf = (name: string) => `weft:{exchange:${name}}:messages`;
/** How many connections are subscribed to the exchange's channel. */
const subscribers = async (name: string) =>
  (await probe.pubsub('NUMSUB', channelOf(name)))[1] as number;

describe('RedisExchange', { timeout: 120_000 }, () => {
  test('fans each message out to 3 subscribers in 2 processes, in the order sent', async () => {
    const name = freshName();
    const child = startChild('subscribe', name, server.url, 2);
    await using exchange = new RedisExchange<{ n: number }>(name, { redis: server.url });
    const inbox = new Queue<{ n: number }>();
    await exchange.attach(inbox);
    await child.next((message) => 'ready' in message);
    for (let n = 0; n < 5; n++) await exchange.send({ n });
    const here = [];
    for (let n = 0; n < 5; n++) here.push((await inbox.get()).n);
    assert.deepEqual(here, [0, 1, 2, 3, 4]);
    await until(() => child.messages.length === 11, 'the child got 2 × 5 messages');
    for (const subscriber of [0, 1]) {
      const got = child.messages
        .filter((message) => message.subscriber === subscriber)
        .map((message) => (message.msg as { n: number }).n);
      assert.deepEqual(got, [0, 1, 2, 3, 4], `subscriber ${subscriber} in the child`);
    }
    await child.kill();
  });

  test('values JSON cannot carry arrive as they were; a function is a TypeError at send', async () => {
    await using exchange = new RedisExchange<unknown>(freshName(), { redis: server.url });
    const inbox = new Queue<unknown>();
    await exchange.attach(inbox);
    const sent = { when: new Date(5), tags: new Map([['a', 1]]), none: undefined, text: 'é' };
    await exchange.send(sent);
    await exchange.send('plain text');
    assert.deepEqual(await inbox.get(), sent);
    assert.equal(await inbox.get(), 'plain text');
    await assert.rejects(exchange.send({ run: () => 1 }), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /RedisExchange\("exchange-[^"]+"\)\.send: msg/);
      return true;
    });
    await exchange.send('after');
    assert.equal(await inbox.get(), 'after', 'nothing was published for the refused message');
  });

  test('a subscriber that throws does not stop the others; onError hears of it', async () => {
    const failures: unknown[] = [];
    await using exchange = new RedisExchange<string>(freshName(), {
      redis: server.url,
      onError: (error) => failures.push(error),
    });
    const before = new Queue<string>();
    const after = new Queue<string>();
    await exchange.attach(before);
    await exchange.attach({
      send() {
        throw new Error('boom');
      },
    });
    await exchange.attach(after);
    await exchange.send('m');
    assert.equal(await before.get(), 'm');
    assert.equal(await after.get(), 'm');
    // Failures are reported once every subscriber was served.
    await until(() => failures.length > 0, 'the failure was reported');
    assert.equal(failures.length, 1);
    assert.match((failures[0] as Error).message, /boom/);
  });

  test('detach, subscribe() as a guard, and no subscription once nobody listens', async () => {
    const name = freshName();
    await using exchange = new RedisExchange<string>(name, { redis: server.url });
    const inbox = new Queue<string>();
    assert.equal(await subscribers(name), 0);
    await exchange.attach(inbox);
    assert.equal(await subscribers(name), 1);
    assert.equal(await exchange.has(inbox), true);
    await exchange.detach(inbox);
    await until(async () => (await subscribers(name)) === 0, 'the channel was unsubscribed');
    await assert.rejects(exchange.detach(inbox), RuntimeError);
    {
      await using _guard = await exchange.subscribe(inbox);
      assert.equal(await exchange.size, 1);
      await exchange.send('in the block');
      assert.equal(await inbox.get(), 'in the block');
    }
    assert.equal(await exchange.size, 0);
    await until(async () => (await subscribers(name)) === 0, 'the guard unsubscribed');
    await exchange.send('nobody hears this');
    assert.equal(inbox.qsize(), 0);
  });

  test('bad names and options are refused at the constructor; a closed object refuses calls', async () => {
    assert.throws(() => new RedisExchange('has space'), TypeError);
    assert.throws(
      () => new RedisExchange('x', { redis: server.url, onErorr: () => {} } as never),
      /unknown option "onErorr"/,
    );
    assert.throws(
      () => new RedisExchange('x', { redis: server.url, onError: 5 as never }),
      /onError must be a function/,
    );
    const exchange = new RedisExchange<string>(freshName(), { redis: server.url });
    await exchange.attach(new Queue<string>());
    await exchange.close();
    await assert.rejects(exchange.send('late'), /closed/);
    await assert.rejects(exchange.attach(new Queue<string>()), RuntimeError);
  });
});
