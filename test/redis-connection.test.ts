// How weft/redis objects reach Redis: the address from { redis }, WEFT_REDIS_URL or the
// default; a clear error when nothing answers; commands held across a restart; close() quits
// only what weft opened.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisConnection, RedisUnavailableError } from '../src/redis/index.js';
import { skipUnlessOwnServer, startRedis, type TestRedis } from './support/redis-server.js';

let server: TestRedis;
before(async () => {
  server = await startRedis();
});
after(() => server.stop());

describe('RedisConnection', () => {
  test('a URL: weft opens the client and close() quits it', async () => {
    const connection = new RedisConnection({ redis: server.url });
    await connection.ready();
    assert.equal(await connection.client.ping(), 'PONG');
    await connection.close();
    assert.equal(connection.client.status, 'end');
    await assert.rejects(connection.ready(), RedisUnavailableError);
  });

  test("the caller's client is used as it is and stays open after close()", async () => {
    const own = new Redis(server.url);
    try {
      const connection = new RedisConnection({ redis: own });
      await connection.ready();
      assert.equal(connection.client, own);
      await connection.close();
      assert.equal(await own.ping(), 'PONG');
    } finally {
      own.disconnect();
    }
  });

  test('WEFT_REDIS_URL is the default address', async () => {
    const saved = process.env.WEFT_REDIS_URL;
    process.env.WEFT_REDIS_URL = server.url;
    try {
      const connection = new RedisConnection();
      assert.equal(connection.address, server.url);
      await connection.ready();
      await connection.close();
    } finally {
      if (saved === undefined) delete process.env.WEFT_REDIS_URL;
      else process.env.WEFT_REDIS_URL = saved;
    }
  });

  test('an address where nothing listens: RedisUnavailableError naming it and what to start', async () => {
    const connection = new RedisConnection({ redis: 'redis://127.0.0.1:1', connectTimeout: 300 });
    try {
      await assert.rejects(connection.ready(), (error: Error) => {
        assert.ok(error instanceof RedisUnavailableError);
        assert.match(error.message, /redis:\/\/127\.0\.0\.1:1/);
        assert.match(error.message, /redis-server --port 1/);
        assert.match(error.message, /WEFT_REDIS_URL/);
        return true;
      });
    } finally {
      await connection.close();
    }
  });

  test('bad options are refused at the constructor', () => {
    assert.throws(() => new RedisConnection({ redis: 'http://x' }), /must start with redis:\/\//);
    assert.throws(
      () => new RedisConnection({ redis: 42 as never }),
      /ioredis client or a redis:\/\/ URL/,
    );
    assert.throws(
      () => new RedisConnection({ connectTimeout: -1 }),
      /connectTimeout must be a positive/,
    );
  });

  test('a blocking connection is its own and close() ends it', async () => {
    const connection = new RedisConnection({ redis: server.url });
    const blocking = await connection.blocking();
    assert.notEqual(blocking, connection.client);
    const waiting = blocking
      .blpop('weft-test:connection:nothing', 0)
      .catch((error: Error) => error);
    assert.equal(
      await connection.client.ping(),
      'PONG',
      'the plain client is not held by the blocking one',
    );
    await connection.close();
    assert.ok((await waiting) instanceof Error);
  });

  test('a command sent while Redis restarts waits for it and then runs', {
    skip: skipUnlessOwnServer(),
  }, async () => {
    const connection = new RedisConnection({ redis: server.url });
    try {
      await connection.ready();
      await server.kill();
      const pending = connection.client.set('weft-test:connection:k', 'v');
      await server.restart();
      assert.equal(await pending, 'OK');
      assert.equal(await connection.client.get('weft-test:connection:k'), 'v');
    } finally {
      await connection.close();
    }
  });
});
