// The fuzz run of the TCP servers: well-behaved clients echo checked lines throughout while
// bad ones send random bytes, truncated and oversized lines, trickle bytes, stay silent,
// fail the key, leave mid-handler, and a flood opens many connections at once. Shared by
// test/net-server-fuzz.test.ts (small) and scripts/net-fuzz-soak.ts (large, by seed).
import { connect, type Socket } from 'node:net';
import {
  LineReader,
  type ServerErrorInfo,
  type ServerErrorReason,
  type StreamRequestHandler,
  sleep,
  TCPServer,
} from '../../src/index.js';
import { answerServerChallenge } from '../../src/net/socket-frames.js';
import { childStartMs } from './child-budget.js';
import { seededRandom } from './dead-party.js';
import { floodFromChild } from './net-flood.js';

/** The sizes of a run. */
export interface FuzzScale {
  seed: number;
  /** Rounds of bad clients (each round starts one of every kind). */
  rounds: number;
  /** Well-behaved clients echoing throughout. */
  goodClients: number;
  /** Connections the flood opens at once. */
  flood: number;
}

/** What a run saw: problems found (empty when all went well) and figures. */
export interface FuzzResult {
  problems: string[];
  echoes: number;
  /** Echoes the well-behaved clients got while the flood ran. */
  echoesDuringFlood: number;
  reports: Record<string, number>;
  heapGrowth: number;
  mostBuffered: number;
}

const MAX_LINE = 1024;
/** The server's idle limit at least: a flood's client process starved longer than it loses its connections. */
const LEAST_IDLE = 1000;
const KEY = 'fuzz-key';
const BIG_PART = Buffer.alloc(64 * 1024, 0x62);
/** A bound on the whole flood, far beyond what it takes: it only keeps a broken run from hanging. */
const FLOOD_TIMEOUT = 90_000;

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves once `socket` is closed (its input is read and dropped: a paused socket never sees its end). */
function closed(socket: Socket): Promise<void> {
  if (socket.listenerCount('data') === 0) socket.resume();
  return socket.destroyed ? Promise.resolve() : new Promise((r) => socket.once('close', () => r()));
}

/** Runs the fuzz at `scale`; resolves with what it found. Every server and socket is closed before. */
export async function fuzz(scale: FuzzScale): Promise<FuzzResult> {
  // On a busy machine the flood's child process can be starved for seconds before it sends
  // anything: the idle limit grows with what starting a child costs here now.
  const IDLE = Math.max(LEAST_IDLE, Math.ceil(2 * (await childStartMs())));
  const rand = seededRandom(scale.seed);
  const bytes = (n: number) =>
    Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const text = (n: number) =>
    Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');
  const problems: string[] = [];
  const reports = new Map<number, ServerErrorReason[]>();
  const counts: Record<string, number> = {};
  const onError = (_error: unknown, { clientAddress, reason }: ServerErrorInfo) => {
    counts[reason] = (counts[reason] ?? 0) + 1;
    const port = clientAddress?.[1] ?? 0;
    reports.set(port, [...(reports.get(port) ?? []), reason]);
  };
  let mostBuffered = 0;
  const handler = async (h: StreamRequestHandler) => {
    for await (const line of h.rfile) {
      mostBuffered = Math.max(mostBuffered, h.rfile.bufferedBytes);
      if (line.toString() === 'big\n') {
        // A slow, large answer: its writes fail once the peer has gone.
        await sleep(30);
        for (let i = 0; i < 64; i++) await h.wfile.write(BIG_PART);
      } else await h.wfile.write(line);
    }
  };
  const options = { maxConnections: 100, idleTimeout: IDLE, maxLineLength: MAX_LINE, onError };
  const plain = new TCPServer(['127.0.0.1', 0], handler, options);
  const keyed = new TCPServer(['127.0.0.1', 0], handler, { ...options, authKey: KEY });
  const sockets = new Set<Socket>();
  const track = async (port: number) => {
    const socket = await open(port);
    sockets.add(socket);
    return socket;
  };
  const heapBefore = process.memoryUsage().heapUsed;
  let echoes = 0;
  let echoesDuringFlood = 0;
  try {
    const [, port] = await plain.listen();
    const [, keyedPort] = await keyed.listen();
    /** Clients whose connection must be reported with this reason. */
    const expected: [number, ServerErrorReason][] = [];
    let running = true;
    const phase = (name: string) => {
      if (process.env.WEFT_FUZZ_TRACE) console.log(`${name} at ${Math.round(performance.now())}`);
    };

    const goodClient = async (n: number) => {
      const socket = await track(n % 2 === 0 ? port : keyedPort);
      if (n % 2 === 1) await answerServerChallenge(socket, KEY);
      const lines = new LineReader(socket);
      while (running) {
        const line = `${text(1 + Math.floor(rand() * 200))}\n`;
        socket.write(line);
        const back = (await lines.readline()).toString();
        if (back !== line)
          problems.push(
            `good client ${n}: sent ${line.length} bytes, got back ${JSON.stringify(back.slice(0, 40))}`,
          );
        echoes++;
        await sleep(5);
      }
      socket.destroy();
    };

    const badRound = async () => {
      const kinds: Promise<void>[] = [];
      // Random bytes without a newline, longer than a line may be.
      kinds.push(
        track(port).then((s) => {
          expected.push([s.localPort ?? -1, 'line-too-long']);
          s.write(
            bytes(MAX_LINE + 1 + Math.floor(rand() * 4 * MAX_LINE)).map((b) => (b === 10 ? 11 : b)),
          );
          return closed(s);
        }),
      );
      // Random bytes with newlines, then gone: whatever happens is that connection's alone.
      kinds.push(
        track(port).then(async (s) => {
          s.write(bytes(Math.floor(rand() * 3 * MAX_LINE)));
          await sleep(rand() * 20);
          s.destroy();
        }),
      );
      // A truncated line at end of input comes back as it is.
      kinds.push(
        track(port).then(async (s) => {
          const partial = text(1 + Math.floor(rand() * 100));
          const lines = new LineReader(s);
          s.end(partial);
          const back = (await lines.readline()).toString();
          if (back !== partial)
            problems.push(
              `truncated line: sent ${JSON.stringify(partial)}, got ${JSON.stringify(back)}`,
            );
        }),
      );
      // A slow client well within the idle time, whose one line grows past the limit.
      kinds.push(
        track(port).then(async (s) => {
          expected.push([s.localPort ?? -1, 'line-too-long']);
          s.write('x'.repeat(MAX_LINE - 4));
          for (let i = 0; i < 16 && !s.destroyed; i++) {
            s.write('y');
            await sleep(IDLE / 10);
          }
          await closed(s);
        }),
      );
      // A client slower than the idle time, and a half-open one that never sends: both idle.
      kinds.push(
        track(port).then(async (s) => {
          expected.push([s.localPort ?? -1, 'idle']);
          s.write('z');
          await closed(s);
        }),
      );
      kinds.push(
        track(port).then((s) => {
          expected.push([s.localPort ?? -1, 'idle']);
          return closed(s);
        }),
      );
      // A wrong key, and garbage instead of an answer to the challenge.
      kinds.push(
        track(keyedPort).then(async (s) => {
          expected.push([s.localPort ?? -1, 'authentication']);
          await answerServerChallenge(s, 'wrong').catch(() => undefined);
          await closed(s);
        }),
      );
      kinds.push(
        track(keyedPort).then(async (s) => {
          expected.push([s.localPort ?? -1, 'authentication']);
          s.write(bytes(64));
          await closed(s);
        }),
      );
      // A client that leaves while its handler is busy with its line.
      kinds.push(
        track(port).then(async (s) => {
          expected.push([s.localPort ?? -1, 'disconnected']);
          // Served first (a connection reset before the server reads its address is
          // reported without one), then gone while its handler answers at length.
          const lines = new LineReader(s);
          s.write('hello\n');
          await lines.readline();
          s.write('big\n');
          await sleep(5);
          s.resetAndDestroy();
        }),
      );
      await Promise.all(kinds.map((kind, i) => kind.then(() => phase(`kind ${i} done`))));
    };

    // The flooding clients run in a child process: in this one, thousands of them would
    // stall the well-behaved clients' own event loop, not the server.
    const flood = async () => {
      const report = await floodFromChild(port, scale.flood, FLOOD_TIMEOUT);
      problems.push(...report.failures);
      const lost = scale.flood - report.echoed;
      if (lost > 0) problems.push(`flood: ${lost} of ${scale.flood} connections got no echo`);
    };

    // A good client that fails is a problem to report, never an unhandled rejection.
    const good = Array.from({ length: scale.goodClients }, (_, n) =>
      goodClient(n).catch((error: Error) => {
        problems.push(`good client ${n}: ${error.name}: ${error.message}`);
      }),
    );
    for (let r = 0; r < scale.rounds; r++) {
      phase(`round ${r}`);
      await badRound();
    }
    phase('flood');
    const echoesBefore = echoes;
    await flood();
    echoesDuringFlood = echoes - echoesBefore;
    phase('end');
    running = false;
    await Promise.all(good);
    // Every bad connection was reported with its reason: a handler busy when its client
    // left reports once it finds out, so wait (bounded far beyond any idle time) for them.
    const missing = () => expected.filter(([p, reason]) => !reports.get(p)?.includes(reason));
    for (let waited = 0; missing().length > 0 && waited < 30 * IDLE; waited += 50) await sleep(50);
    for (const [clientPort, reason] of expected) {
      const seen = reports.get(clientPort) ?? [];
      if (!seen.includes(reason))
        problems.push(
          `a ${reason} client (port ${clientPort}) was reported as ${JSON.stringify(seen)}`,
        );
    }
    // The servers still serve.
    const last = await track(port);
    const reader = new LineReader(last);
    last.write('still here\n');
    if ((await reader.readline()).toString() !== 'still here\n')
      problems.push('the server stopped serving');
  } finally {
    for (const socket of sockets) socket.destroy();
    await Promise.all([plain.shutdown({ timeout: 1000 }), keyed.shutdown({ timeout: 1000 })]);
  }
  return {
    problems,
    echoes,
    echoesDuringFlood,
    reports: counts,
    heapGrowth: process.memoryUsage().heapUsed - heapBefore,
    mostBuffered,
  };
}
