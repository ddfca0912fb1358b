// A redis-server of the test's own, on a free port, keeping nothing on disk (or, asked for,
// an append-only file in a temp dir of its own): so a test may kill or restart it, and no
// test touches another program's keys. Without the binary, tests use WEFT_REDIS_URL (fault
// tests that stop the server then skip).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Redis server a test file uses. */
export interface TestRedis {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** Whether the test owns the server (so `kill`/`restart` work). */
  readonly owned: boolean;
  /** Kills the server with SIGKILL (its data is lost, unless it keeps an append-only file). */
  kill(): Promise<void>;
  /** Starts it again on the same port: empty, or with what its append-only file kept. */
  restart(): Promise<void>;
  /** Stops it for good (and removes its append-only file). */
  stop(): Promise<void>;
}

/** How the test's own server runs. */
export interface TestRedisOptions {
  /**
   * Keep every write in an append-only file, fsynced before Redis answers
   * (`--appendonly yes --appendfsync always`), in a temp dir of the server's own: what was
   * acknowledged survives a `kill()` and `restart()`. Default: nothing on disk.
   */
  readonly appendonly?: boolean;
}

let binary: boolean | undefined;

/** Whether `redis-server` can be started here. */
export function hasRedisServer(): boolean {
  binary ??= spawnSync('redis-server', ['--version']).status === 0;
  return binary;
}

/** Why a test that needs its own server is skipped, or false when it can run. */
export function skipUnlessOwnServer(): string | false {
  return hasRedisServer() ? false : 'needs the redis-server binary (the test kills its server)';
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a redis-server on a free port (or uses WEFT_REDIS_URL when the binary is missing). */
export async function startRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  if (!hasRedisServer()) {
    const url = process.env.WEFT_REDIS_URL;
    if (!url) throw new Error('these tests need the redis-server binary or WEFT_REDIS_URL');
    const refuse = async () => {
      throw new Error('this Redis is not the test own (WEFT_REDIS_URL): it cannot be killed');
    };
    return { url, owned: false, kill: refuse, restart: refuse, stop: async () => {} };
  }
  const dir = options.appendonly ? mkdtempSync(join(tmpdir(), 'weft-redis-aof-')) : undefined;
  let port = await freePort();
  let child: ChildProcess;
  try {
    child = await launch(port, dir);
  } catch (error) {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    running.delete(child);
  };
  return {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    owned: true,
    kill: stopChild,
    async restart() {
      await stopChild();
      for (let attempt = 0; ; attempt++) {
        try {
          child = await launch(port, dir);
          return;
        } catch (error) {
          // The port may linger a moment after the kill; another is no use (clients know this one).
          if (attempt >= 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    async stop() {
      await stopChild();
      port = 0;
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts redis-server on `port`; with `dir`, keeping an append-only file there. */
async function launch(port: number, dir: string | undefined): Promise<ChildProcess> {
  const persistence =
    dir === undefined
      ? ['--appendonly', 'no']
      : ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always'];
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      ...persistence,
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  // Ready when it accepts a connection: poll with a plain socket, bounded by the child's life.
  for (;;) {
    if (child.exitCode !== null) {
      running.delete(child);
      throw new Error(
        `redis-server on port ${port} exited with ${child.exitCode}: ${output.trim()}`,
      );
    }
    if (await accepts(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function accepts(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end('PING\r\n');
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
    });
    socket.once('error', () => resolve(false));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}
