/**
 * The HMAC handshake of a `TCPServer` with `authKey`, over the raw connection before its
 * handler runs: frames of a 4-byte big-endian length and the bytes, as Python's
 * `multiprocessing.connection` frames them. `answerServerChallenge` is the client's side.
 * @module
 */
import type { Socket } from 'node:net';
import { TimeoutError } from '../errors.js';
import { type AuthKey, answerChallenge, type ChallengeOptions, type FrameIO } from './challenge.js';
import { LineReader } from './line-reader.js';
import { StreamWriter } from './stream-writer.js';

const HEADER = 4;

/** Handshake frames over a connection's reader and writer. */
export function streamFrames(rfile: LineReader, wfile: StreamWriter): FrameIO {
  return {
    sendBytes(bytes) {
      const header = Buffer.allocUnsafe(HEADER);
      header.writeUInt32BE(bytes.byteLength);
      void wfile.write(header).catch(() => undefined);
      return wfile.write(bytes);
    },
    recvBytes({ maxLength, timeout }) {
      return withTimeout(readFrame(rfile, maxLength), timeout);
    },
  };
}

async function readFrame(rfile: LineReader, maxLength: number): Promise<Uint8Array> {
  const header = await rfile.readExactly(HEADER);
  if (header.length < HEADER) throw new Error('the connection ended during the handshake');
  const length = header.readUInt32BE(0);
  if (length > maxLength) {
    throw new Error(`a handshake frame of ${length} bytes is longer than ${maxLength}`);
  }
  const body = await rfile.readExactly(length);
  if (body.length < length) throw new Error('the connection ended during the handshake');
  return body;
}

function withTimeout<T>(promise: Promise<T>, timeout: number): Promise<T> {
  if (!Number.isFinite(timeout)) return promise;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TimeoutError(`no handshake frame within ${timeout} ms`)),
      timeout,
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * The client's side of a `TCPServer`'s `authKey`: answers the server's challenge on a
 * freshly connected `socket`, and resolves once the server has welcomed it; the socket
 * then carries the handler's traffic as usual. Rejects with `AuthenticationError` when the
 * keys differ.
 *
 * @example
 * ```ts
 * const socket = net.connect(port, '127.0.0.1');
 * await answerServerChallenge(socket, 'secret');
 * socket.write('hello\n');
 * ```
 */
export async function answerServerChallenge(
  socket: Socket,
  authKey: AuthKey,
  opts?: ChallengeOptions,
): Promise<void> {
  const rfile = new LineReader(socket);
  try {
    await answerChallenge(streamFrames(rfile, new StreamWriter(socket)), authKey, opts);
  } finally {
    // What came after the welcome is the handler's: give it back to the socket.
    const rest = rfile.detach();
    if (rest.length > 0) socket.unshift(rest);
  }
}
