/**
 * The floor of the Listener/Client benchmark: the same job with bare Node and no weft. A
 * child process (`node -e`) connects over TCP to 127.0.0.1 and echoes every message; each
 * message is JSON text behind a 4-byte big-endian length, and both ends parse and encode
 * every one, as weft's ends decode and encode theirs. No authentication, no message types,
 * no limits: what is left is the cost of the sockets, the event loops and JSON.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';

/** Cuts length-prefixed frames out of a byte stream; calls `onFrame` with each payload. */
const FRAMES = `
function frames(onFrame) {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 4) {
      const length = pending.readUInt32BE(at);
      if (pending.length - at - 4 < length) break;
      onFrame(pending.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    pending = pending.subarray(at);
  };
}
function frame(value) {
  const body = Buffer.from(JSON.stringify(value));
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}
`;

const ECHO_CHILD = `${FRAMES}
const socket = require('node:net').connect(Number(process.argv[1]), '127.0.0.1');
socket.setNoDelay(true);
socket.on('data', frames((payload) => socket.write(frame(JSON.parse(payload.toString())))));
socket.on('end', () => socket.end());
`;

// The parent's half of the framing: the same code, made here.
const { frames, frame } = new Function(`${FRAMES} return { frames, frame };`)() as {
  frames: (onFrame: (payload: Buffer) => void) => (chunk: Buffer) => void;
  frame: (value: unknown) => Buffer;
};

/** A connected echo child and the parent's socket to it. */
export interface RawEchoPair {
  /** Sends `value`; the echo arrives at `next()`. */
  send(value: unknown): void;
  /** The next echo, decoded. */
  next(): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts the echo child and waits for its connection. */
export async function rawEchoPair(): Promise<RawEchoPair> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const child: ChildProcess = spawn(process.execPath, ['-e', ECHO_CHILD, String(port)], {
    stdio: 'inherit',
  });
  const [socket] = (await once(server, 'connection')) as [Socket];
  server.close();
  socket.setNoDelay(true);
  let echoes: unknown[] = [];
  let taken = 0;
  let waiting: ((value: unknown) => void) | undefined;
  socket.on(
    'data',
    frames((payload) => {
      const value = JSON.parse(payload.toString());
      if (waiting === undefined) echoes.push(value);
      else {
        const resolve = waiting;
        waiting = undefined;
        resolve(value);
      }
    }),
  );
  return {
    send(value) {
      socket.write(frame(value));
    },
    next() {
      if (taken < echoes.length) {
        const value = echoes[taken++];
        if (taken === echoes.length) {
          echoes = [];
          taken = 0;
        }
        return Promise.resolve(value);
      }
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    async close() {
      socket.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}
