// HMAC challenge-response: deliverChallenge/answerChallenge over any frame transport, and
// Listener/Client with authKey — a wrong key, no key on one side, garbage, an oversized or a
// silent handshake each fail that one connection with AuthenticationError (on both ends when
// both speak), and the listener goes on accepting the next good client.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import {
  AuthenticationError,
  answerChallenge,
  Client,
  type Connection,
  deliverChallenge,
  EOFError,
  type FrameIO,
  Listener,
  type ListenerOptions,
  Pipe,
  TimeoutError,
} from '../src/index.js';

/** A guard against a hang, far above what a loaded machine needs. */
const NET_SUITE = { timeout: 60_000 } as const;
/** A handshake bound for the tests that wait for it to run out: short, since nothing else is waited for. */
const SHORT_HANDSHAKE = 200;
const LOCAL = ['127.0.0.1', 0] as const;
const listeners: Listener[] = [];
const sockets: Socket[] = [];
const conns: Connection[] = [];

after(() => {
  for (const c of conns) c.close();
  for (const s of sockets) s.destroy();
  for (const l of listeners) l.close();
});

async function listening(opts: ListenerOptions): Promise<[Listener, [string, number]]> {
  const l = new Listener(LOCAL, opts);
  listeners.push(l);
  return [l, (await l.listen()) as [string, number]];
}

function keep(conn: Connection): Connection {
  conns.push(conn);
  return conn;
}

/** The listener still serves: a client with `key` is accepted and its message arrives. */
async function stillServes(l: Listener, address: [string, number], key: string): Promise<void> {
  const [server, client] = await Promise.all([l.accept(), Client(address, { authKey: key })]);
  keep(server);
  keep(client);
  await client.send('good client');
  assert.equal(await server.recv(), 'good client');
}

async function raw(address: [string, number]): Promise<Socket> {
  const socket = connect({ host: address[0], port: address[1] });
  sockets.push(socket);
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

describe('deliverChallenge / answerChallenge', NET_SUITE, () => {
  test('the same key passes both ways over Pipe ends; a string key equals its UTF-8 bytes', async () => {
    const [a, b] = Pipe();
    await Promise.all([deliverChallenge(a, 'clé'), answerChallenge(b, Buffer.from('clé', 'utf8'))]);
    await Promise.all([
      deliverChallenge(b, new Uint8Array(Buffer.from('clé'))),
      answerChallenge(a, 'clé'),
    ]);
    await a.send('after');
    assert.equal(await b.recv(), 'after');
  });

  test('different keys: AuthenticationError on both ends', async () => {
    const [a, b] = Pipe();
    const [delivered, answered] = await Promise.allSettled([
      deliverChallenge(a, 'one'),
      answerChallenge(b, 'two'),
    ]);
    assert.ok(delivered.status === 'rejected' && delivered.reason instanceof AuthenticationError);
    assert.ok(answered.status === 'rejected' && answered.reason instanceof AuthenticationError);
  });

  test('over a plain { sendBytes, recvBytes } frame transport', async () => {
    const [a, b] = Pipe();
    const io = (end: typeof a): FrameIO => ({
      sendBytes: (bytes) => end.sendBytes(bytes),
      recvBytes: ({ maxLength, timeout }) => end.recvBytes(maxLength, { timeout }),
    });
    await Promise.all([deliverChallenge(io(a), 'k'), answerChallenge(io(b), 'k')]);
  });

  test('a peer that never answers: AuthenticationError caused by the timeout', async () => {
    const [a] = Pipe();
    await assert.rejects(
      deliverChallenge(a, 'k', { timeout: SHORT_HANDSHAKE }),
      (e: Error) => e instanceof AuthenticationError && e.cause instanceof TimeoutError,
    );
  });

  test('a value where a handshake frame belongs is refused without being decoded', async () => {
    const [a, b] = Pipe();
    const answered = answerChallenge(b, 'k');
    await a.send({ not: 'a challenge' });
    await assert.rejects(
      answered,
      (e: Error) => e instanceof AuthenticationError && e.cause instanceof TypeError,
    );
  });

  test('a key that is not bytes or a string, bad options, a bad conn: TypeError at the call', () => {
    const [a] = Pipe();
    for (const key of [5, null, undefined, {}, [1, 2]]) {
      assert.throws(() => deliverChallenge(a, key as never), TypeError);
      assert.throws(() => answerChallenge(a, key as never), TypeError);
    }
    assert.throws(() => deliverChallenge(a, 'k', { timeout: -1 }), RangeError);
    assert.throws(() => deliverChallenge({} as never, 'k'), TypeError);
  });
});

describe('Listener and Client with authKey', NET_SUITE, () => {
  test('the same key: the connection works; a Buffer key and its string agree', async () => {
    const [l, address] = await listening({ authKey: Buffer.from('s3cret') });
    await stillServes(l, address, 's3cret');
  });

  test('a wrong key: AuthenticationError on both ends, and the listener accepts the next good client', async () => {
    const [l, address] = await listening({ authKey: 'right' });
    const [accepted, connected] = await Promise.allSettled([
      l.accept(),
      Client(address, { authKey: 'wrong' }),
    ]);
    assert.ok(
      accepted.status === 'rejected' && accepted.reason instanceof AuthenticationError,
      'listener side',
    );
    assert.ok(
      connected.status === 'rejected' && connected.reason instanceof AuthenticationError,
      'client side',
    );
    await stillServes(l, address, 'right');
  });

  test('a client without a key: its first message is refused undecoded, accept rejects, the listener goes on', async () => {
    const [l, address] = await listening({ authKey: 'k' });
    const accepted = l.accept();
    const client = keep(await Client(address));
    const challenge = await client.recv();
    assert.ok(challenge instanceof Uint8Array, 'the challenge is raw bytes');
    await client.send({ hello: 'no key' });
    await assert.rejects(
      accepted,
      (e: Error) => e instanceof AuthenticationError && e.cause instanceof TypeError,
    );
    await assert.rejects(client.recv(), EOFError);
    await stillServes(l, address, 'k');
  });

  test('a listener without a key: the client gets no challenge and fails with AuthenticationError', async () => {
    const [l, address] = await listening({});
    const accepted = l.accept();
    await assert.rejects(
      Client(address, { authKey: 'k', timeout: SHORT_HANDSHAKE }),
      (e: Error) => e instanceof AuthenticationError && e.cause instanceof TimeoutError,
    );
    const server = keep(await accepted);
    await assert.rejects(server.recv(), EOFError);
  });

  test('garbage bytes instead of a handshake: AuthenticationError, the listener goes on', async () => {
    const [l, address] = await listening({ authKey: 'k' });
    const socket = await raw(address);
    const accepted = l.accept();
    socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await assert.rejects(accepted, AuthenticationError);
    await stillServes(l, address, 'k');
  });

  test('a handshake frame announcing a gigabyte is refused on its header', async () => {
    const [l, address] = await listening({ authKey: 'k' });
    const socket = await raw(address);
    const accepted = l.accept();
    const header = Buffer.alloc(5);
    header.writeUInt32BE(2 ** 30, 0);
    header[4] = 1;
    socket.write(header);
    await assert.rejects(
      accepted,
      (e: Error) => e instanceof AuthenticationError && e.cause instanceof RangeError,
    );
    await stillServes(l, address, 'k');
  });

  test('a client that connects and says nothing: AuthenticationError after handshakeTimeout, the listener goes on', async () => {
    const [l, address] = await listening({ authKey: 'k', handshakeTimeout: SHORT_HANDSHAKE });
    await raw(address);
    await assert.rejects(
      l.accept(),
      (e: Error) => e instanceof AuthenticationError && e.cause instanceof TimeoutError,
    );
    await stillServes(l, address, 'k');
  });

  test("an accept aborted during a handshake rejects with the signal's reason and disconnects that client", async () => {
    const [l, address] = await listening({ authKey: 'k' });
    const socket = await raw(address);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const controller = new AbortController();
    const accepted = l.accept({ signal: controller.signal });
    await new Promise((resolve) => socket.once('data', resolve)); // the challenge: the handshake is under way
    const reason = new Error('no longer waiting');
    controller.abort(reason);
    await assert.rejects(accepted, (e) => e === reason);
    await closed;
    await stillServes(l, address, 'k');
  });

  test('the challenge functions on a Listener without authKey: the Cookbook recipe by hand', async () => {
    const [l, address] = await listening({});
    const [server, client] = await Promise.all([l.accept(), Client(address)]);
    keep(server);
    keep(client);
    await Promise.all([
      deliverChallenge(server, 'peer key').then(() => answerChallenge(server, 'peer key')),
      answerChallenge(client, 'peer key').then(() => deliverChallenge(client, 'peer key')),
    ]);
    await client.send('authenticated');
    assert.equal(await server.recv(), 'authenticated');
  });
});
