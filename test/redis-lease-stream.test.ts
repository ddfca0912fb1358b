// The lease engine under RedisQueue and RedisExecutor: fencing tokens and delivery counts,
// an acknowledgement that stores a result in the same step, entries given back first in
// line, and the shutdown flag.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LeaseLostError } from '../src/errors.js';
import { RedisConnection } from '../src/redis/connection.js';
import { keyspace } from '../src/redis/keys.js';
import { LeaseStream } from '../src/redis/lease-stream.js';
import { STREAM_SHUT_DOWN } from '../src/redis/lease-stream-types.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

let server: TestRedis;
let connection: RedisConnection;
before(async () => {
  server = await startRedis();
  connection = new RedisConnection({ redis: server.url });
});
after(async () => {
  await connection.close();
  await server.stop();
});

let count = 0;
function streams(visibilityTimeout = 30_000): [LeaseStream, LeaseStream] {
  const prefix = keyspace('test', `lease-${++count}-${process.pid}`, 'test');
  return [
    new LeaseStream(connection, prefix, { visibilityTimeout }),
    new LeaseStream(connection, prefix, { visibilityTimeout }),
  ];
}

const text = (value: string) => Buffer.from(value);

describe('LeaseStream', { timeout: 60_000 }, () => {
  test('add refuses at maxsize undelivered; entries given back count as undelivered', async () => {
    const [a, b] = streams();
    assert.match(await a.add(text('1'), { maxsize: 2 }), /^\d+-\d+$/);
    await a.add(text('2'), { maxsize: 2 });
    assert.equal(await a.add(text('3'), { maxsize: 2 }), 'full');
    const [first] = (await b.read()) as Awaited<ReturnType<LeaseStream['take']>>['deliveries'];
    assert.deepEqual(await a.counts(), { undelivered: 1, unfinished: 2, shutDown: false });
    await a.add(text('3'), { maxsize: 2 });
    assert.equal(await b.giveBack(first!), 1);
    assert.deepEqual(await a.counts(), { undelivered: 3, unfinished: 3, shutDown: false });
    await Promise.all([a.close(), b.close()]);
  });

  test('a given-back entry comes out first, with a new token and the same delivery count', async () => {
    const [a, b] = streams();
    await a.add(text('"x"'));
    await a.add(text('"y"'));
    const [x] = (await a.take(1)).deliveries;
    assert.deepEqual(
      { token: x!.token, deliveries: x!.deliveries, payload: String(x!.payload) },
      {
        token: 1,
        deliveries: 1,
        payload: '"x"',
      },
    );
    await a.giveBack(x!);
    const again = (await b.take(2)).deliveries;
    assert.deepEqual(
      again.map((d) => [String(d.payload), d.token, d.deliveries]),
      [
        ['"x"', 2, 1],
        ['"y"', 1, 1],
      ],
    );
    // The old delivery is fenced off: its holder gave it back and may not complete it.
    await assert.rejects(a.ack(x!), LeaseLostError);
    for (const delivery of again) await b.ack(delivery);
    assert.deepEqual(await a.counts(), { undelivered: 0, unfinished: 0, shutDown: false });
    await Promise.all([a.close(), b.close()]);
  });

  test('an entry whose lease ran out is taken over with a higher token; the old holder is fenced', async () => {
    const [, b] = streams(100);
    // The reader that dies has a connection of its own, cut before it can give anything back.
    const own = new RedisConnection({ redis: server.url });
    const a = new LeaseStream(own, b.prefix, { visibilityTimeout: 100 });
    await a.add(text('"job"'));
    const [held] = (await a.take(1)).deliveries;
    await own.close();
    await a.close();
    const got = await b.read({ count: 1, block: 30_000 });
    assert.notEqual(got, STREAM_SHUT_DOWN);
    const [taken] = got as (typeof held)[];
    assert.equal(taken!.id, held!.id);
    assert.equal(taken!.token, 2);
    assert.equal(taken!.deliveries, 2);
    await b.ack(taken!);
    await b.close();
  });

  test('ack stores a result in the same step and publishes its key', async () => {
    const [a] = streams();
    await a.add(text('"task"'));
    const [delivery] = (await a.take(1)).deliveries;
    const listener = await connection.blocking();
    const heard = new Promise<string>((resolve) =>
      listener.on('message', (_c, m: string) => resolve(m)),
    );
    await listener.subscribe(`${a.prefix}:results`);
    const key = `${a.prefix}:result:1`;
    await a.ack(delivery!, { key, value: '"answer"', ttl: 60_000, channel: `${a.prefix}:results` });
    assert.equal(await heard, key);
    assert.equal(await connection.client.get(key), '"answer"');
    connection.release(listener);
    await a.close();
  });

  test('shutdown: add refused, reads drain then report it; immediate drops what nobody holds', async () => {
    const [a, b] = streams();
    for (const item of ['1', '2', '3']) await a.add(text(item));
    const [held] = (await b.take(1)).deliveries;
    await a.shutdown(false);
    assert.equal(await a.add(text('4')), 'shutdown');
    const drained = await a.read({ count: 1 });
    assert.equal((drained as (typeof held)[]).length, 1);
    assert.equal(await a.shutdown(true), 1, 'the one entry nobody held is dropped');
    assert.equal(await a.read({ count: 5, block: 1_000 }), STREAM_SHUT_DOWN);
    // Given back after an immediate shutdown: dropped, counted done.
    assert.equal(await b.giveBack(held!), 1);
    assert.deepEqual(await a.counts(), { undelivered: 0, unfinished: 1, shutDown: true });
    await Promise.all([a.close(), b.close()]);
    assert.equal((await b.counts().catch((error: Error) => error)) instanceof Error, true);
  });
});
