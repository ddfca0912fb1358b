/**
 * How a primitive is reached from another process: its owner (this thread) listens on a
 * local socket — an abstract Unix socket on Linux (no file to clean up, even after a
 * SIGKILL), a socket file in the temp directory elsewhere, a named pipe on Windows — and
 * serves each channel opened with a token it handed out.
 *
 * A token names one primitive (or one handle this thread relays to its owner in another
 * thread) and stays valid while this thread lives, so a handle passed on from process to
 * process reuses it. Tokens are 128-bit random: only a process that was given one can
 * reach the primitive. The server and its sockets never keep the owner alive.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { type SocketChannel, SocketLink } from './socket-link.js';

/** Serves one channel opened with a token. */
export type Opener = (channel: SocketChannel) => void;

interface Host {
  readonly address: string;
  readonly server: Server;
  readonly openers: Map<string, Opener>;
}

let host: Host | undefined;
const tokens = new WeakMap<object, string>();
const links = new Map<string, SocketLink>();

/**
 * A token reaching `subject` from another process, served by `open` for each channel opened
 * with it; the same subject keeps its token. Starts this thread's server on first use.
 */
export function tokenFor(subject: object, open: Opener): { address: string; token: string } {
  const { address, openers } = (host ??= listen());
  let token = tokens.get(subject);
  if (token === undefined) {
    token = randomBytes(16).toString('hex');
    tokens.set(subject, token);
    openers.set(token, open);
  }
  return { address, token };
}

/** Opens a channel to what `token` names at `address` (one socket per owner, shared). */
export function openChannel(address: string, token: string): SocketChannel {
  let link = links.get(address);
  if (link === undefined) {
    const socket = connect(address);
    link = new SocketLink(socket, undefined, () => links.delete(address));
    links.set(address, link);
  }
  return link.open(token);
}

function listen(): Host {
  const address = newAddress();
  const openers = new Map<string, Opener>();
  const server = createServer((socket) => {
    new SocketLink(socket, (channel, token) => {
      const open = openers.get(token);
      if (open === undefined) channel.close();
      else open(channel);
    });
  });
  server.on('error', (error) => {
    process.emitWarning(`weft: the socket serving handles to other processes failed: ${error}`);
  });
  server.listen(address);
  server.unref();
  if (!address.startsWith('\0') && process.platform !== 'win32') {
    process.on('exit', () => rmSync(address, { force: true }));
  }
  return { address, server, openers };
}

function newAddress(): string {
  const name = `weft-${process.pid}-${threadId}-${randomBytes(6).toString('hex')}`;
  if (process.platform === 'linux') return `\0${name}`;
  if (process.platform === 'win32') return `\\\\.\\pipe\\${name}`;
  return join(tmpdir(), `${name}.sock`);
}
