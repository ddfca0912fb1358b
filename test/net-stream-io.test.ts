// A stream handler's rfile and wfile at the edges of their buffering: a read parked for a
// line longer than the reader's buffer limit gets it whole; lines sent all at once come back
// in order and whole; the first write after input goes out at once and the ones after it
// together at the end of their pass of the event loop, input or not; a handshake that times
// out leaves no read parked in its task.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import {
  AuthenticationError,
  answerServerChallenge,
  currentTask,
  type StreamRequestHandler,
  sleep,
  spawn,
  TCPServer,
} from '../src/index.js';
import { taskObservers } from './support/async-helpers.js';
import { client, endNet, tracked } from './support/net-clients.js';

after(endNet);

const ANY: [string, number] = ['127.0.0.1', 0];

/** Records, on `socket`, what each system-call-sized write hands the kernel: one list of chunks per call. */
function recordWrites(socket: Socket): string[][] {
  const calls: string[][] = [];
  const write = socket._write;
  const writev = socket._writev!;
  socket._write = function (chunk, encoding, callback) {
    calls.push([String(chunk)]);
    write.call(this, chunk, encoding, callback);
  };
  socket._writev = function (chunks, callback) {
    calls.push(chunks.map(({ chunk }) => String(chunk)));
    writev.call(this, chunks, callback);
  };
  return calls;
}

describe('rfile and wfile', () => {
  test('readline({ maxLength }) beyond the buffer limit waits for its line through many chunks', async () => {
    // maxLineLength 1 KiB keeps the reader's buffer limit at 16 KiB: the line is 40 times that.
    const LONG = 640 * 1024;
    const server = tracked(
      new TCPServer(
        ANY,
        async (h: StreamRequestHandler) => {
          const line = await h.rfile.readline({ maxLength: 1024 * 1024 });
          const next = await h.rfile.readline();
          await h.wfile.write(`${line.length} ${line.subarray(-2, -1).toString()} ${next}`);
        },
        { maxLineLength: 1024 },
      ),
    );
    const [, port] = await server.listen();
    const c = await client(port);
    c.socket.write(`${'x'.repeat(LONG - 2)}y\nafter\n`);
    assert.equal((await c.lines.readline()).toString(), `${LONG} y after\n`);
  });

  test('a peer that sends many lines at once gets each back, in order and whole', async () => {
    const server = tracked(
      new TCPServer(ANY, async (h: StreamRequestHandler) => {
        for await (const line of h.rfile) await h.wfile.write(line);
      }),
    );
    const [, port] = await server.listen();
    const c = await client(port);
    // Lengths up to 3 KiB: many lines straddle the socket's chunks.
    const sent = Array.from({ length: 2000 }, (_, i) => `${i} ${'x'.repeat((i * 37) % 3000)}\n`);
    const all = sent.join('');
    c.socket.end(all);
    assert.equal((await c.lines.readExactly(Buffer.byteLength(all))).toString(), all);
  });

  test('wfile: the first write after input goes out at once, the ones after it together', async () => {
    let calls: string[][] = [];
    const server = tracked(
      new TCPServer(ANY, async (h: StreamRequestHandler) => {
        calls = recordWrites(h.request);
        for await (const line of h.rfile) {
          await h.wfile.write(`1 ${line}`);
          await h.wfile.write(`2 ${line}`);
          await h.wfile.write(`3 ${line}`);
        }
      }),
    );
    const [, port] = await server.listen();
    const c = await client(port);
    for (const request of ['a', 'b']) {
      c.socket.write(`${request}\n`);
      for (const n of [1, 2, 3])
        assert.equal((await c.lines.readline()).toString(), `${n} ${request}\n`);
    }
    assert.deepEqual(calls, [['1 a\n'], ['2 a\n', '3 a\n'], ['1 b\n'], ['2 b\n', '3 b\n']]);
  });

  test('wfile: writes made with no input to answer go out together at the end of their pass', async () => {
    let calls: string[][] = [];
    const server = tracked(
      new TCPServer(ANY, async (h: StreamRequestHandler) => {
        calls = recordWrites(h.request);
        await h.wfile.write('hello\n');
        await sleep(10);
        await h.wfile.write('x\n');
        await h.wfile.write('y\n');
        await h.rfile.readline();
      }),
    );
    const [, port] = await server.listen();
    const c = await client(port);
    for (const line of ['hello\n', 'x\n', 'y\n'])
      assert.equal((await c.lines.readline()).toString(), line);
    assert.deepEqual(calls, [['hello\n'], ['x\n', 'y\n']]);
  });

  test('a handshake that times out leaves no read parked in its task', async () => {
    // A server that accepts and never challenges.
    const held: Socket[] = [];
    const silent = createServer((accepted) => held.push(accepted));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      const task = spawn(async () => {
        await assert.rejects(answerServerChallenge(socket, 'key', { timeout: 50 }), (error) => {
          assert.ok(error instanceof AuthenticationError, String(error));
          return true;
        });
        return taskObservers(currentTask()!);
      });
      assert.equal(await task, 0);
    } finally {
      socket.destroy();
      for (const accepted of held) accepted.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
