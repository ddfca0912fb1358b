/**
 * TCP echo servers: 100 clients sending 1 KiB lines, one at a time (request/response) and
 * all at once (pipelined), and connections per second (each of 100 clients in turn
 * connects, sends one line, reads its echo and closes), to weft's `TCPServer` with a
 * `StreamRequestHandler` (a task per connection, `for await` over `rfile`, `await
 * wfile.write`), a bare `net` echo server (`socket.write(chunk)` per chunk: the floor),
 * Python's asyncio streams server and `socketserver.ThreadingTCPServer`. The clients run in
 * a Node process of their own (bench/peers/echo-clients.mjs) and check every byte. Aims
 * (issue 13): weft at least 0.9 times bare `net` in all three, at least 1.3 times asyncio
 * pipelined.
 * @module
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type StreamRequestHandler, TCPServer } from 'weft';
import {
  type Comparison,
  makeTable,
  median,
  type Row,
  type Settings,
  type Table,
  type Target,
} from './harness.js';

const CLIENTS = 100;
const WEFT = 'weft TCPServer + StreamRequestHandler';
const BARE = 'bare net echo (floor)';
const ASYNCIO = 'Python asyncio streams';
const THREADING = 'Python socketserver.ThreadingTCPServer';

const run = promisify(execFile);
const CLIENT_SCRIPT = fileURLToPath(new URL('./peers/echo-clients.mjs', import.meta.url));

/** A running echo server: its port and how to stop it. */
interface Echo {
  name: string;
  port: number;
  stop(): Promise<void>;
}

async function weftEcho(): Promise<Echo> {
  const server = new TCPServer(
    ['127.0.0.1', 0],
    async (h: StreamRequestHandler) => {
      for await (const line of h.rfile) await h.wfile.write(line);
    },
    { backlog: 1024 },
  );
  const [, port] = await server.listen();
  return { name: WEFT, port, stop: () => server.shutdown({ timeout: 1000 }) };
}

async function bareEcho(): Promise<Echo> {
  const server: Server = createServer({ noDelay: true }, (socket) => {
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
  });
  server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 });
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { name: BARE, port, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function pythonEcho(kind: 'asyncio' | 'threading'): Promise<Echo | string> {
  const script = fileURLToPath(new URL('./python/echo_server.py', import.meta.url));
  let child: ChildProcess;
  try {
    child = spawn('python3', [script, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  } catch (error) {
    return `python3 could not start: ${(error as Error).message}`;
  }
  const failed = once(child, 'error').then(([error]) => `python3: ${(error as Error).message}`);
  const lines = createInterface({ input: child.stdout! });
  const first = once(lines, 'line').then(([line]) => Number(line));
  const port = await Promise.race([first, failed]);
  if (typeof port === 'string') return port;
  return {
    name: kind === 'asyncio' ? ASYNCIO : THREADING,
    port,
    async stop() {
      child.stdin!.end();
      const exited = once(child, 'exit');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      await exited;
    },
  };
}

/** Lines per second of one load run against `port` (the client process times itself). */
async function load(port: number, lines: number, mode: string): Promise<number> {
  const { stdout } = await run(process.execPath, [
    CLIENT_SCRIPT,
    String(port),
    String(CLIENTS),
    String(lines),
    mode,
  ]);
  return (JSON.parse(stdout) as { rate: number }).rate;
}

/** One part of the suite: the client mode, lines per client, its table's title, unit and aims. */
interface Part {
  lines: (settings: Settings) => number;
  title: string;
  unit: string;
  targets: Target[];
  comparisons: Omit<Comparison, 'ratio'>[];
}

/**
 * The parts, in the order they run (`bench/run.ts net-server:connect` runs one), named
 * after the client's mode (bench/peers/echo-clients.mjs).
 */
const PARTS: Record<string, Part> = {
  reqresp: {
    lines: (settings) => (settings.quick ? 20 : 200),
    title: 'TCP echo, 100 clients, 1 KiB lines, request/response',
    unit: 'lines/s',
    targets: [{ subject: WEFT, reference: BARE, atLeast: 0.9 }],
    comparisons: [
      { subject: WEFT, reference: ASYNCIO },
      { subject: WEFT, reference: THREADING },
    ],
  },
  pipelined: {
    lines: (settings) => (settings.quick ? 100 : 1000),
    title: 'TCP echo, 100 clients, 1 KiB lines, pipelined',
    unit: 'lines/s',
    targets: [
      { subject: WEFT, reference: BARE, atLeast: 0.9 },
      { subject: WEFT, reference: ASYNCIO, atLeast: 1.3 },
    ],
    comparisons: [{ subject: WEFT, reference: THREADING }],
  },
  connect: {
    lines: (settings) => (settings.quick ? 10 : 30),
    title:
      'TCP connections per second, 100 clients each in turn: connect, one 1 KiB line, its echo, close',
    unit: 'connections/s',
    targets: [{ subject: WEFT, reference: BARE, atLeast: 0.9 }],
    comparisons: [
      { subject: WEFT, reference: ASYNCIO },
      { subject: WEFT, reference: THREADING },
    ],
  },
};

/** The names of the suite's parts (`net-server:NAME` on bench/run.ts's command line). */
export const NET_SERVER_PARTS: readonly string[] = Object.keys(PARTS);

export async function netServerSuites(settings: Settings): Promise<Table[]> {
  const only = settings.parts?.['net-server'];
  const parts = NET_SERVER_PARTS.filter((name) => only === undefined || only.includes(name));
  const started = await Promise.all([
    weftEcho(),
    bareEcho(),
    pythonEcho('asyncio'),
    pythonEcho('threading'),
  ]);
  const servers = started.filter((s): s is Echo => typeof s !== 'string');
  const notes = started.filter((s): s is string => typeof s === 'string');
  try {
    const tables: Table[] = [];
    for (const mode of parts) {
      const part = PARTS[mode]!;
      const lines = part.lines(settings);
      const samples = servers.map((): number[] => []);
      for (let round = -1; round < settings.rounds; round++) {
        for (let k = 0; k < servers.length; k++) {
          const at = (k + Math.max(round, 0)) % servers.length;
          const rate = await load(servers[at]!.port, lines, mode);
          if (round >= 0) samples[at]!.push(rate);
        }
      }
      const rows: Row[] = servers.map((server, i) => ({
        name: server.name,
        median: median(samples[i]!),
        samples: samples[i]!,
      }));
      tables.push(
        makeTable({
          title: part.title,
          unit: part.unit,
          ops: CLIENTS * lines,
          references: [BARE, ASYNCIO],
          rows,
          targets: part.targets,
          comparisons: part.comparisons,
          notes: [...notes, 'clients in a Node process of their own; every byte checked'],
        }),
      );
    }
    return tables;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
