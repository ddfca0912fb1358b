// Listener and Client: a Connection over a socket — values and bytes in order, EOF and close
// from either side, maxMessageBytes, truncated and malformed frames (each ends that one
// connection with a clear error, and the listener goes on serving), a real child process.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  BrokenPipeError,
  Client,
  Connection,
  EOFError,
  Listener,
  Pipe,
  Process,
  RuntimeError,
  TimeoutError,
} from '../src/index.js';
import { echoClient } from './fixtures/net-targets.js';
import { WORKER_SUITE } from './support/async-helpers.js';
import { endProcesses, started } from './support/process-helpers.js';

const LOCAL = ['127.0.0.1', 0] as const;
/** A guard against a hang, far above what a loaded machine needs: sockets on loopback, no child. */
const NET_SUITE = { timeout: 60_000 } as const;
const listeners: Listener[] = [];
const sockets: Socket[] = [];
const conns: Connection[] = [];

after(async () => {
  for (const c of conns) c.close();
  for (const s of sockets) s.destroy();
  for (const l of listeners) l.close();
  await endProcesses();
});

function listener(opts?: ConstructorParameters<typeof Listener>[1], address = LOCAL) {
  const l = new Listener(address, opts);
  listeners.push(l);
  return l;
}

/** A connected pair: [the listener's end, the client's end]. */
async function pair(opts?: { maxMessageBytes?: number }): Promise<[Connection, Connection]> {
  const l = listener(opts);
  const address = await l.listen();
  const [server, client] = await Promise.all([l.accept(), Client(address, opts)]);
  conns.push(server, client);
  return [server, client];
}

/** A raw socket to `address` that speaks whatever a test writes. */
async function raw(address: readonly [string, number]): Promise<Socket> {
  const socket = connect({ host: address[0], port: address[1] });
  sockets.push(socket);
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

function header(length: number, type: number): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt32BE(length, 0);
  h[4] = type;
  return h;
}

describe('Listener and Client: messages', NET_SUITE, () => {
  test('values and bytes arrive in order, both ways, as copies; the ends are Connections as Pipe ends are', async () => {
    const [server, client] = await pair();
    assert.ok(server instanceof Connection && client instanceof Connection);
    assert.ok(Pipe()[0] instanceof server.constructor);
    const values = [1, 'two', { three: [3n, new Map([[3, 'x']])] }, null, undefined, new Date(0)];
    for (const v of values) await client.send(v);
    await client.sendBytes(Buffer.from('abcdef'), 2, 3);
    await client.sendBytes(new Uint8Array(0));
    for (const v of values) assert.deepEqual(await server.recv(), v);
    assert.deepEqual(await server.recvBytes(), new Uint8Array(Buffer.from('cde')));
    assert.equal((await server.recvBytes()).byteLength, 0);
    for (let i = 0; i < 1000; i++) await server.send(i);
    for (let i = 0; i < 1000; i++) assert.equal(await client.recv(), i);
  });

  test('every value comes back exactly: what JSON could carry, and what only V8 can (-0, NaN, undefined, holes, shared and cyclic objects)', async () => {
    const [server, client] = await pair();
    const shared = { s: 1 };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const withExtra = Object.assign([1, 2], { extra: 'x' });
    const holes = [1, 2, 3];
    delete holes[1];
    const deep: unknown[] = [];
    let at = deep;
    for (let i = 0; i < 100; i++) at.push((at = []));
    const values: unknown[] = [
      { id: 1, tags: ['a', 'b'], nested: { ok: true, n: null } },
      'plain string',
      42,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      { u: undefined },
      holes,
      { a: shared, b: shared },
      cyclic,
      withExtra,
      JSON.parse('{"__proto__": {"polluted": true}}'),
      'lone \ud800 surrogate and ünïcödé',
      deep,
      new Set([1]),
      Object.create(null),
    ];
    for (const v of values) await client.send(v);
    for (const v of values) {
      const got = await server.recv();
      assert.deepStrictEqual(got, structuredClone(v));
    }
    await client.send({ a: shared, b: shared });
    const gotShared = (await server.recv()) as Record<string, object>;
    assert.equal(gotShared.a, gotShared.b, 'shared references stay shared');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('poll says whether recv would answer; recvBytes refuses a value and it stays', async () => {
    const [server, client] = await pair();
    assert.equal(await server.poll(), false);
    await client.send({ a: 1 });
    assert.equal(await server.poll(Infinity), true);
    await assert.rejects(server.recvBytes(), TypeError);
    assert.deepEqual(await server.recv(), { a: 1 });
  });

  test('a 4 MB message crosses whole (many chunks, backpressure)', async () => {
    const [server, client] = await pair();
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    big[big.length - 1] = 9;
    const sent = client.sendBytes(big);
    const got = await server.recvBytes();
    await sent;
    assert.equal(got.byteLength, big.byteLength);
    assert.equal(got[got.length - 1], 9);
  });

  test('streamed through an echo: a sender far ahead waits for the socket to drain, and every message comes back in order', async () => {
    const [server, client] = await pair();
    const count = 50_000;
    const echoing = (async () => {
      for (let i = 0; i < count; i++) await server.send(await server.recv());
    })();
    const sending = (async () => {
      for (let i = 0; i < count; i++) await client.send({ id: i, tags: ['a', 'b'] });
    })();
    for (let i = 0; i < count; i++) assert.equal(((await client.recv()) as { id: number }).id, i);
    await Promise.all([sending, echoing]);
  });

  test('a value that cannot be sent is a TypeError at send; nothing is sent', async () => {
    const [server, client] = await pair();
    await assert.rejects(client.send({ f: () => 1 } as never), TypeError);
    await client.send('after');
    assert.equal(await server.recv(), 'after');
  });

  test('a Unix socket path works as an address', async () => {
    const path = join(tmpdir(), `weft-net-${process.pid}-${Date.now()}.sock`);
    const l = listener(undefined, path as never);
    assert.equal(await l.listen(), path);
    assert.equal(l.address, path);
    const [server, client] = await Promise.all([l.accept(), Client(path)]);
    conns.push(server, client);
    await server.send('over unix');
    assert.equal(await client.recv(), 'over unix');
  });
});

describe('Listener and Client: end of input', NET_SUITE, () => {
  for (const closer of ['client', 'server'] as const) {
    test(`the ${closer} closes: the other end receives what was sent, then EOFError; its sends reject with BrokenPipeError`, async () => {
      const [server, client] = await pair();
      const [closing, other] = closer === 'client' ? [client, server] : [server, client];
      await closing.send('last');
      closing.close();
      assert.equal(closing.closed, true);
      await assert.rejects(closing.send('x'), RuntimeError);
      assert.equal(await other.recv(), 'last');
      await assert.rejects(other.recv(), EOFError);
      assert.equal(await other.poll(), true);
      await assert.rejects(other.send('nobody'), BrokenPipeError);
    });
  }

  test('using disposes: the connection closes on the way out', async () => {
    const [server, client] = await pair();
    {
      using c = client;
      await c.send(1);
    }
    assert.equal(await server.recv(), 1);
    await assert.rejects(server.recv(), EOFError);
  });
});

describe('Listener and Client: malformed input ends that connection only', NET_SUITE, () => {
  test('a frame longer than maxMessageBytes is refused on its header: RangeError, the listener serves the next client', async () => {
    const l = listener({ maxMessageBytes: 1024 });
    const address = (await l.listen()) as [string, number];
    const socket = await raw(address);
    const accepted = l.accept();
    socket.write(header(1025, 0));
    const server = await accepted;
    conns.push(server);
    await assert.rejects(
      server.recv(),
      (e: Error) => e instanceof RangeError && /1025 bytes/.test(e.message),
    );
    const [next, client] = await Promise.all([l.accept(), Client(address)]);
    conns.push(next, client);
    await client.send('still serving');
    assert.equal(await next.recv(), 'still serving');
  });

  test('a send longer than maxMessageBytes is a RangeError at the call', async () => {
    const [, client] = await pair({ maxMessageBytes: 100 });
    await assert.rejects(client.sendBytes(new Uint8Array(101)), RangeError);
    await client.sendBytes(new Uint8Array(100));
  });

  test('a frame cut short by the end of input is an EOFError saying so, not a hang', async () => {
    const l = listener();
    const address = (await l.listen()) as [string, number];
    const socket = await raw(address);
    const accepted = l.accept();
    socket.end(Buffer.concat([header(10, 1), Buffer.from('abc')]));
    const server = await accepted;
    conns.push(server);
    await assert.rejects(
      server.recv(),
      (e: Error) => e instanceof EOFError && /truncated/.test(e.message),
    );
  });

  test('a frame of unknown type, or a value that does not deserialize, ends with an error', async () => {
    const l = listener();
    const address = (await l.listen()) as [string, number];
    const socket = await raw(address);
    const accepted = l.accept();
    socket.write(Buffer.concat([header(3, 0), Buffer.from([0xff, 0x00, 0x01]), header(0, 7)]));
    const server = await accepted;
    conns.push(server);
    await assert.rejects(server.recv(), Error);
    await assert.rejects(
      server.recv(),
      (e: Error) => e instanceof RangeError && /unknown type 7/.test(e.message),
    );
  });
});

describe('Listener: lifecycle and arguments', NET_SUITE, () => {
  test('accept times out with TimeoutError; close rejects a waiting accept with RuntimeError', async () => {
    const l = listener();
    await l.listen();
    await assert.rejects(l.accept({ timeout: 20 }), TimeoutError);
    const waiting = l.accept();
    l.close();
    await assert.rejects(waiting, RuntimeError);
    await assert.rejects(l.accept(), RuntimeError);
    assert.equal(l.closed, true);
  });

  test('await using closes the listener; nobody listens there afterwards', async () => {
    let address: readonly [string, number] | string;
    {
      await using l = new Listener(LOCAL);
      address = await l.listen();
    }
    await assert.rejects(Client(address), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
  });

  test('bad arguments throw at the call', () => {
    assert.throws(() => new Listener(5 as never), TypeError);
    assert.throws(() => new Listener(['h', 70000]), RangeError);
    assert.throws(() => new Listener(LOCAL, { authKey: 5 as never }), TypeError);
    assert.throws(() => new Listener(LOCAL, { maxMessageBytes: 0 }), RangeError);
    assert.throws(() => new Listener(LOCAL, { backlog: -1 }), RangeError);
    assert.throws(() => new Listener(LOCAL, { bogus: 1 } as never), TypeError);
    assert.throws(() => Client(LOCAL, { authKey: {} as never }), TypeError);
    assert.throws(() => Client(LOCAL, { timeout: -1 }), RangeError);
  });
});

describe('Listener across a child process', WORKER_SUITE, () => {
  test('a child connects with Client and echoes values and bytes', async () => {
    const l = listener({ authKey: 'family secret' });
    const address = await l.listen();
    const child = started(
      new Process(echoClient, { args: [address as [string, number], 'family secret'] }),
    );
    const conn = await l.accept({ timeout: 60_000 });
    conns.push(conn);
    await conn.send({ n: 1, list: [1, 2] });
    await conn.sendBytes(Buffer.from('bytes'));
    assert.deepEqual(await conn.recv(), { n: 1, list: [1, 2] });
    assert.deepEqual(await conn.recv(), new Uint8Array(Buffer.from('bytes')));
    conn.close();
    assert.equal(await child.join({ timeout: 60_000 }), true);
    assert.equal(child.result, 2);
  });
});
