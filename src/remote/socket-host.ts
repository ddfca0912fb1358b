/**
 * How a primitive is reached from another process: its owner (this thread) listens on a
 * local socket — an abstract Unix socket on Linux (no file to clean up, even after a
 * SIGKILL), a socket file in the temp directory elsewhere, a named pipe on Windows — and
 * serves each channel opened with a token it handed out.
 *
 * A token names one primitive (or one handle this thread relays to its owner in another
 * thread), so a handle passed on from process to process reuses it. Tokens are 128-bit
 * random: only a process that was given one can reach the primitive. The server and its
 * sockets never keep the owner alive.
 *
 * What a token keeps alive: the subject is held from each crossing until a channel opens
 * with the token for each crossing (the descriptor is on its way), and each open channel holds it while it
 * lasts; otherwise the token refers to it weakly, so a primitive sent to processes that
 * are done with it is collected as any other object, and its token forgotten.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { type SocketChannel, SocketLink } from './socket-link.js';

/** Serves one channel opened with a token, for its subject. */
export type Opener<T extends object> = (subject: T, channel: SocketChannel) => void;

/** What a token names. */
interface Entry {
  readonly subject: WeakRef<object>;
  /** The subject, held while descriptors carrying the token may still be on their way. */
  armed: object | undefined;
  /** How many crossings have not opened a channel yet. */
  inFlight: number;
  readonly open: Opener<object>;
}

interface Host {
  readonly address: string;
  readonly server: Server;
  readonly entries: Map<string, Entry>;
}

let host: Host | undefined;
const tokens = new WeakMap<object, string>();
const links = new Map<string, SocketLink>();
const forgotten = new FinalizationRegistry<string>((token) => host?.entries.delete(token));

/**
 * A token reaching `subject` from another process, served by `open` for each channel opened
 * with it; the same subject keeps its token. Starts this thread's server on first use.
 * `open` must not hold `subject` itself (it is given it), or the subject is never forgotten.
 */
export function tokenFor<T extends object>(
  subject: T,
  open: Opener<T>,
): { address: string; token: string } {
  const { address, entries } = (host ??= listen());
  let token = tokens.get(subject);
  let entry = token === undefined ? undefined : entries.get(token);
  if (token === undefined || entry === undefined) {
    token = randomBytes(16).toString('hex');
    tokens.set(subject, token);
    entry = {
      subject: new WeakRef(subject),
      armed: undefined,
      inFlight: 0,
      open: open as Opener<object>,
    };
    entries.set(token, entry);
    forgotten.register(subject, token);
  }
  entry.armed = subject;
  entry.inFlight++;
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
  const entries = new Map<string, Entry>();
  const server = createServer((socket) => {
    new SocketLink(socket, (channel, token) => {
      const entry = entries.get(token);
      const subject = entry?.armed ?? entry?.subject.deref();
      if (entry === undefined || subject === undefined) {
        channel.close();
        return;
      }
      // The channel now holds the subject (its server does) for as long as it is open.
      // (A handle passed on from process to process opens with a token minted once.)
      if (entry.inFlight > 0 && --entry.inFlight === 0) entry.armed = undefined;
      entry.open(subject, channel);
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
  return { address, server, entries };
}

function newAddress(): string {
  const name = `weft-${process.pid}-${threadId}-${randomBytes(6).toString('hex')}`;
  if (process.platform === 'linux') return `\0${name}`;
  if (process.platform === 'win32') return `\\\\.\\pipe\\${name}`;
  return join(tmpdir(), `${name}.sock`);
}
