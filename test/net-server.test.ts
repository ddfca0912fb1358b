// TCPServer and UDPServer: the socketserver lifecycle, the handlers (classes and functions),
// rfile/wfile, a task per connection, the options and onError's reasons, shutdown killing a
// stuck handler, and the forking server (processes: n) replacing a child that dies.
// The server's robustness against bad input at scale: net-server-fuzz.test.ts.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, describe, test } from 'node:test';
import {
  AuthenticationError,
  BaseRequestHandler,
  currentTask,
  DatagramRequestHandler,
  Event,
  type ServerErrorInfo,
  StreamRequestHandler,
  sleep,
  type Task,
  TaskGroup,
  TaskLocal,
  TCPServer,
  UDPServer,
} from '../src/index.js';
import { failing, PidEchoHandler, pidEcho } from './fixtures/net-handlers.js';
import { client, endNet, tracked } from './support/net-clients.js';

after(endNet);

const ANY: [string, number] = ['127.0.0.1', 0];

/** An onError that keeps what it is told, and a promise of the next report. */
function errors() {
  const seen: { error: unknown; info: ServerErrorInfo }[] = [];
  let wake: (() => void) | undefined;
  return {
    seen,
    onError(error: unknown, info: ServerErrorInfo) {
      seen.push({ error, info });
      wake?.();
    },
    /** Resolves once `n` reports have come. */
    async count(n: number) {
      while (seen.length < n) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

const echo = async (h: StreamRequestHandler) => {
  for await (const line of h.rfile) await h.wfile.write(line);
};

describe('TCPServer: lifecycle', () => {
  test('listen() gives the bound address; serveForever() resolves once shut down; shutdown is idempotent', async () => {
    const server = tracked(new TCPServer(ANY, echo));
    const [host, port] = await server.listen();
    assert.equal(host, '127.0.0.1');
    assert.ok(port > 0);
    const c = await client(port);
    assert.equal(await c.ask('hello'), 'hello');
    let served = false;
    const forever = server.serveForever().then(() => (served = true));
    const first = server.shutdown();
    assert.equal(server.shutdown(), first);
    await first;
    await forever;
    assert.equal(served, true);
  });

  test('listen() and serveForever() reject with the bind error', async () => {
    const first = tracked(new TCPServer(ANY, echo));
    const [, port] = await first.listen();
    const second = tracked(new TCPServer(['127.0.0.1', port], echo));
    await assert.rejects(second.listen(), { code: 'EADDRINUSE' });
    await assert.rejects(second.serveForever(), { code: 'EADDRINUSE' });
    await second.shutdown();
  });

  test('await using shuts the server down at the end of the block', async () => {
    let port: number;
    {
      await using server = new TCPServer(ANY, echo);
      [, port] = await server.listen();
      const c = await client(port);
      assert.equal(await c.ask('x'), 'x');
      c.socket.end();
    }
    await assert.rejects(client(port), { code: 'ECONNREFUSED' });
  });

  test('bad arguments are refused at the constructor', () => {
    assert.throws(() => new TCPServer('127.0.0.1:0' as never, echo), TypeError);
    assert.throws(() => new TCPServer(['127.0.0.1', 70000], echo), RangeError);
    assert.throws(() => new TCPServer(ANY, 42 as never), TypeError);
    assert.throws(
      () => new TCPServer(ANY, class NotAHandler {} as never),
      /must extend BaseRequestHandler/,
    );
    assert.throws(
      () => new TCPServer(ANY, echo, { maxconnections: 2 } as never),
      /unknown option "maxconnections"/,
    );
    assert.throws(() => new TCPServer(ANY, echo, { maxLineLength: 0 }), TypeError);
    assert.throws(() => new TCPServer(ANY, echo, { processes: 2 }), /portable export/);
    assert.throws(() => new UDPServer(ANY, () => {}, { authKey: 'k' }), /TCPServer only/);
  });

  test('shutdown({ timeout }) refuses a bad timeout', async () => {
    const server = tracked(new TCPServer(ANY, echo));
    await assert.rejects(server.shutdown({ timeout: -1 }), TypeError);
  });
});

describe('TCPServer: handlers', () => {
  test('a handler class runs setup, handle, finish in order, with request, clientAddress and server', async () => {
    const calls: string[] = [];
    let seen: { address: [string, number]; server: unknown } | undefined;
    class Greeter extends StreamRequestHandler<TCPServer> {
      override setup() {
        calls.push('setup');
      }
      override async handle() {
        calls.push('handle');
        seen = { address: this.clientAddress, server: this.server };
        const name = (await this.rfile.readline()).toString().trim();
        await this.wfile.write(`hello ${name}\n`);
      }
      override finish() {
        calls.push('finish');
      }
    }
    const server = tracked(new TCPServer(ANY, Greeter));
    const [, port] = await server.listen();
    const c = await client(port);
    assert.equal(await c.ask('ada'), 'hello ada');
    assert.equal(
      (await c.lines.readline()).length,
      0,
      'the server ends the connection after handle',
    );
    assert.deepEqual(calls, ['setup', 'handle', 'finish']);
    assert.deepEqual(seen?.address, [c.socket.localAddress, c.socket.localPort]);
    assert.equal(seen?.server, server);
  });

  test('finish runs when handle throws, and the error goes to onError as a handler failure', async () => {
    const log = errors();
    let finished = false;
    class Thrower extends BaseRequestHandler {
      override handle() {
        throw new SyntaxError('bad request');
      }
      override finish() {
        finished = true;
      }
    }
    const server = tracked(new TCPServer(ANY, Thrower, { onError: log.onError }));
    const [, port] = await server.listen();
    const c = await client(port);
    await log.count(1);
    assert.equal(finished, true);
    assert.ok(log.seen[0]!.error instanceof SyntaxError);
    assert.deepEqual(log.seen[0]!.info, {
      clientAddress: [c.socket.localAddress, c.socket.localPort],
      reason: 'handler',
    });
  });

  test('a function handler is called with a StreamRequestHandler', async () => {
    let instance: unknown;
    const server = tracked(
      new TCPServer(ANY, async (h) => {
        instance = h;
        await h.wfile.write('hi\n');
      }),
    );
    const [, port] = await server.listen();
    const c = await client(port);
    assert.equal((await c.lines.readline()).toString(), 'hi\n');
    assert.ok(instance instanceof StreamRequestHandler);
  });

  test('readline: a partial last line at end of input, then empty Buffers', async () => {
    const got: string[] = [];
    const done = new Event();
    const server = tracked(
      new TCPServer(ANY, async (h) => {
        for (let i = 0; i < 4; i++) got.push((await h.rfile.readline()).toString());
        done.set();
      }),
    );
    const [, port] = await server.listen();
    const c = await client(port);
    c.socket.end('one\ntwo\nthr');
    await done.wait();
    assert.deepEqual(got, ['one\n', 'two\n', 'thr', '']);
  });

  test('readline({ maxLength }) rejects with a RangeError a line longer than that', async () => {
    let caught: unknown;
    const server = tracked(
      new TCPServer(ANY, async (h) => {
        assert.equal((await h.rfile.readline({ maxLength: 8 })).toString(), '1234567\n');
        try {
          await h.rfile.readline({ maxLength: 8 });
        } catch (error) {
          caught = error;
        }
        await h.wfile.write('done\n');
      }),
    );
    const [, port] = await server.listen();
    const c = await client(port);
    c.socket.write('1234567\n123456789\n');
    assert.equal((await c.lines.readline()).toString(), 'done\n');
    assert.ok(caught instanceof RangeError);
    await assert.rejects(Promise.reject(caught), /longer than 8 bytes/);
  });

  test('wfile.write waits while the peer does not read: the socket never holds much', async () => {
    const CHUNK = Buffer.alloc(64 * 1024, 0x61);
    const COUNT = 160; // 10 MiB: far more than the socket and the kernel hold together
    let most = 0;
    const server = tracked(
      new TCPServer(ANY, async (h) => {
        for (let i = 0; i < COUNT; i++) {
          await h.wfile.write(CHUNK);
          most = Math.max(most, h.wfile.bufferedBytes);
        }
      }),
    );
    const [, port] = await server.listen();
    const c = await client(port);
    let received = 0;
    for (;;) {
      const chunk = await c.lines.readExactly(1024 * 1024);
      received += chunk.length;
      if (chunk.length < 1024 * 1024) break;
    }
    assert.equal(received, CHUNK.length * COUNT);
    assert.ok(most <= 2 * CHUNK.length, `the socket held ${most} bytes after a write resolved`);
  });
});

describe('TCPServer: a task per connection', () => {
  test('each connection runs in its own task, with its own TaskLocal values', async () => {
    const user = new TaskLocal<string>('nobody');
    const tasks = new Set<Task | undefined>();
    class Session extends StreamRequestHandler {
      override async setup() {
        tasks.add(currentTask());
        user.set((await this.rfile.readline()).toString().trim());
      }
      override async handle() {
        for await (const line of this.rfile) await this.wfile.write(`${user.get()}: ${line}`);
      }
    }
    const server = tracked(new TCPServer(ANY, Session));
    const [, port] = await server.listen();
    const [a, b] = await Promise.all([client(port), client(port)]);
    a.socket.write('ann\n');
    b.socket.write('bob\n');
    assert.equal(await a.ask('x'), 'ann: x');
    assert.equal(await b.ask('y'), 'bob: y');
    assert.equal(await a.ask('z'), 'ann: z');
    assert.equal(tasks.size, 2);
    assert.ok(![...tasks].includes(undefined));
    assert.equal(user.get(), 'nobody');
  });

  test('shutdown kills a handler still running after its timeout, reported as shutdown', async () => {
    const log = errors();
    const entered = new Event();
    let killedWith: unknown;
    const server = tracked(
      new TCPServer(
        ANY,
        async () => {
          entered.set();
          try {
            await new Event().wait();
          } catch (error) {
            killedWith = error;
            throw error;
          }
        },
        { onError: log.onError },
      ),
    );
    const [, port] = await server.listen();
    const c = await client(port);
    await entered.wait();
    await server.shutdown({ timeout: 50 });
    assert.equal(killedWith instanceof Error && killedWith.name, 'CancelledError');
    assert.equal(log.seen[0]?.info.reason, 'shutdown');
    assert.equal((await c.lines.readline().catch(() => Buffer.alloc(0))).length, 0);
  });

  test('a readline waiting for input is interrupted by the kill, and in a TaskGroup body by its cancellation', async () => {
    const log = errors();
    const entered = new Event();
    let killedWith: unknown;
    const waiting = tracked(
      new TCPServer(
        ANY,
        async (h: StreamRequestHandler) => {
          entered.set();
          try {
            await h.rfile.readline(); // the client sends nothing
          } catch (error) {
            killedWith = error;
            throw error;
          }
        },
        { onError: log.onError },
      ),
    );
    await client((await waiting.listen())[1]);
    await entered.wait();
    await waiting.shutdown({ timeout: 50 });
    assert.equal(killedWith instanceof Error && killedWith.name, 'CancelledError');
    assert.equal(log.seen[0]?.info.reason, 'shutdown');

    // A child of the group fails while the body waits in readline: the read gives up, the
    // group throws the child's error, and the connection reads on afterwards.
    const grouped = tracked(
      new TCPServer(ANY, async (h: StreamRequestHandler) => {
        const outcome = await TaskGroup.run(async (tg) => {
          tg.spawn(async () => {
            await sleep(10);
            throw new Error('child failed');
          });
          await h.rfile.readline();
          return 'read a line';
        }).catch((error: Error) => error.message);
        await h.wfile.write(`${outcome}\n`);
        await h.wfile.write(await h.rfile.readline());
      }),
    );
    const c = await client((await grouped.listen())[1]);
    assert.equal((await c.lines.readline()).toString(), 'child failed\n');
    assert.equal(await c.ask('after'), 'after');
  });

  test('shutdown returns even when a handler awaits something no kill reaches', async () => {
    const entered = new Event();
    const server = tracked(
      new TCPServer(ANY, async () => {
        entered.set();
        await new Promise(() => {});
      }),
    );
    const [, port] = await server.listen();
    await client(port);
    await entered.wait();
    await server.shutdown({ timeout: 20 });
  });

  test('a handler can shut its own server down', async () => {
    const server = tracked(
      new TCPServer(ANY, async (h) => {
        await h.rfile.readline();
        await h.server.shutdown({ timeout: 1000 });
      }),
    );
    const [, port] = await server.listen();
    const c = await client(port);
    c.socket.write('quit\n');
    await server.serveForever();
    await assert.rejects(client(port), { code: 'ECONNREFUSED' });
  });
});

describe('TCPServer: options', () => {
  test('maxConnections: a further connection waits until one ends', async () => {
    const server = tracked(new TCPServer(ANY, echo, { maxConnections: 1 }));
    const [, port] = await server.listen();
    const first = await client(port);
    assert.equal(await first.ask('1'), '1');
    const second = await client(port);
    second.socket.write('2\n');
    const answer = second.lines.readline();
    // The first is still served while the second waits.
    assert.equal(await first.ask('1 again'), '1 again');
    assert.equal(server.connectionCount, 1);
    first.socket.end();
    assert.equal((await answer).toString(), '2\n');
  });

  test('idleTimeout closes a connection whose handler waits for input, reported as idle', async () => {
    const log = errors();
    const server = tracked(new TCPServer(ANY, echo, { idleTimeout: 50, onError: log.onError }));
    const [, port] = await server.listen();
    const c = await client(port);
    assert.equal(await c.ask('awake'), 'awake');
    await log.count(1);
    assert.equal(log.seen[0]!.info.reason, 'idle');
    assert.equal((log.seen[0]!.error as Error).name, 'TimeoutError');
    assert.equal((await c.lines.readline().catch(() => Buffer.alloc(0))).length, 0);
  });

  test('maxLineLength: an uncaught RangeError ends that connection only, reported as line-too-long', async () => {
    const log = errors();
    const server = tracked(new TCPServer(ANY, echo, { maxLineLength: 16, onError: log.onError }));
    const [, port] = await server.listen();
    const [bad, good] = await Promise.all([client(port), client(port)]);
    bad.socket.write(`${'x'.repeat(100)}\n`);
    await log.count(1);
    assert.equal(log.seen[0]!.info.reason, 'line-too-long');
    assert.ok(log.seen[0]!.error instanceof RangeError);
    assert.equal(await good.ask('fine'), 'fine');
  });

  test('authKey: the right key is served; a wrong one is refused on both ends, reported as authentication', async () => {
    const log = errors();
    const server = tracked(new TCPServer(ANY, echo, { authKey: 'secret', onError: log.onError }));
    const [, port] = await server.listen();
    const good = await client(port, 'secret');
    assert.equal(await good.ask('after the handshake'), 'after the handshake');
    await assert.rejects(client(port, 'guess'), AuthenticationError);
    await log.count(1);
    assert.equal(log.seen[0]!.info.reason, 'authentication');
    assert.ok(log.seen[0]!.error instanceof AuthenticationError);
  });
});

describe('UDPServer', () => {
  async function udpAsk(port: number, message: string): Promise<string> {
    const socket = createSocket('udp4');
    try {
      const reply = new Promise<string>((resolve) =>
        socket.once('message', (m) => resolve(m.toString())),
      );
      socket.send(message, port, '127.0.0.1');
      return await reply;
    } finally {
      socket.close();
    }
  }

  test('a DatagramRequestHandler replies with what it wrote, after handle', async () => {
    class Upper extends DatagramRequestHandler {
      override async handle() {
        this.wfile.write(this.packet.toString().toUpperCase());
        await Promise.resolve();
        this.wfile.write('!');
      }
    }
    const server = tracked(new UDPServer(ANY, Upper));
    const [, port] = await server.listen();
    assert.equal(await udpAsk(port, 'time?'), 'TIME?!');
  });

  test('a function handler, in its own task; a failure goes to onError and the server goes on', async () => {
    const log = errors();
    const server = tracked(
      new UDPServer(
        ANY,
        (h) => {
          if (h.packet.toString() === 'boom') throw new Error('boom');
          h.wfile.write(`${currentTask() === undefined ? 'no task' : 'task'} ${h.packet}`);
        },
        { onError: log.onError },
      ),
    );
    const [, port] = await server.listen();
    const socket = createSocket('udp4');
    socket.send('boom', port, '127.0.0.1', () => socket.close());
    await log.count(1);
    assert.equal(log.seen[0]!.info.reason, 'handler');
    assert.equal(await udpAsk(port, 'ping'), 'task ping');
  });
});

describe('TCPServer: processes', { timeout: 120_000 }, () => {
  test('n children serve the socket; a child killed is replaced and the server goes on; shutdown ends them', async () => {
    const log = errors();
    const server = tracked(new TCPServer(ANY, pidEcho, { processes: 2, onError: log.onError }));
    const [, port] = await server.listen();
    const pids = server.processIds;
    assert.equal(pids.length, 2);
    assert.ok(!pids.includes(process.pid));
    const c = await client(port);
    const [servedBy] = (await c.ask('hi')).split(' ');
    assert.ok(pids.includes(Number(servedBy)), `served by ${servedBy}, children ${pids}`);
    process.kill(Number(servedBy), 'SIGKILL');
    await log.count(1);
    assert.equal(log.seen[0]!.info.reason, 'child-exited');
    while (server.processIds.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(!server.processIds.includes(Number(servedBy)));
    for (let i = 0; i < 6; i++) {
      const answer = await (await client(port)).ask(`n${i}`);
      assert.ok(server.processIds.includes(Number(answer.split(' ')[0])), answer);
    }
    const last = server.processIds;
    await server.shutdown({ timeout: 100 });
    for (const pid of last) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  });

  test('a portable handler class; a child handler failure reaches the parent onError', async () => {
    const log = errors();
    const classy = tracked(new TCPServer(ANY, PidEchoHandler, { processes: 1 }));
    const [, port] = await classy.listen();
    const c = await client(port);
    const [pid, word] = (await c.ask('w')).split(' ');
    assert.equal(Number(pid), classy.processIds[0]);
    assert.equal(word, 'w');
    c.socket.end();
    await classy.shutdown();
    const failingServer = tracked(
      new TCPServer(ANY, failing, { processes: 1, onError: log.onError }),
    );
    const [, port2] = await failingServer.listen();
    (await client(port2)).socket.write('go\n');
    await log.count(1);
    assert.equal(log.seen[0]!.info.reason, 'handler');
    assert.ok(log.seen[0]!.error instanceof RangeError);
    assert.match((log.seen[0]!.error as Error).message, /refused by \d+/);
  });
});
