// Clients of the server tests: every socket a test opens is destroyed after the file, and
// every server shut down, even when a test failed half-way.
import { connect, type Socket } from 'node:net';
import { answerServerChallenge, LineReader } from '../../src/index.js';

const sockets = new Set<Socket>();
const servers = new Set<{ shutdown(opts?: { timeout?: number }): Promise<void> }>();

/** Remembers `server` for `endNet`. */
export function tracked<S extends { shutdown(opts?: { timeout?: number }): Promise<void> }>(
  server: S,
): S {
  servers.add(server);
  return server;
}

/** A connected client, with its lines. */
export interface TestClient {
  socket: Socket;
  lines: LineReader;
  /** Sends `line` (a `\n` is added) and resolves with the reply line, as a string without `\n`. */
  ask(line: string): Promise<string>;
}

/** Connects to `port` on 127.0.0.1 (rejects on a connection error), answering the server's challenge with `authKey` if given. */
export async function client(port: number, authKey?: string): Promise<TestClient> {
  const host = '127.0.0.1';
  const socket = connect(port, host);
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  if (authKey !== undefined) await answerServerChallenge(socket, authKey);
  const lines = new LineReader(socket);
  return {
    socket,
    lines,
    async ask(line: string) {
      socket.write(`${line}\n`);
      return (await lines.readline()).toString().replace(/\n$/, '');
    },
  };
}

/** Destroys every client socket and shuts every server down: pass it to `after`. */
export async function endNet(): Promise<void> {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all([...servers].map((server) => server.shutdown({ timeout: 1000 })));
  servers.clear();
}
