/**
 * How a pipe end (`Connection`) is reached from another thread or process: the facts a
 * handle gets at the crossing and the methods its owner serves to a `ConnectionHandle`.
 * @module
 */
import type { LiveState } from '../codec/descriptor.js';
import { move } from '../codec/move.js';
import { registerRemoteKind, type ServedKind } from '../remote/served-kind.js';
import { Connection } from './pipe.js';
import { ConnectionHandle } from './pipe-handle.js';

function endState(end: Connection): LiveState {
  return { closed: end.closed };
}

/** A pipe end (`Connection`) as its owner serves it. */
const pipeEndServed: ServedKind<Connection> = {
  kind: 'PipeConnection',
  info: (end) => ({
    className: end.constructor.name,
    readable: end.readable,
    writable: end.writable,
    state: endState(end),
  }),
  state: endState,
  methods: {
    send: { waits: false, arity: 1, run: (end, [value]) => end.send(value) },
    // The handle already cut the range: the bytes arrive as their own buffer.
    sendBytes: {
      waits: false,
      arity: 1,
      run: (end, [bytes]) => end.sendBytes(bytes as Uint8Array),
    },
    recv: { waits: true, arity: 0, run: (end, _args, opts) => end.recv(opts) },
    // The received bytes belong to nobody else: move them to the handle instead of copying.
    recvBytes: {
      waits: true,
      arity: 1,
      run: (end, [maxLength], opts) =>
        end.recvBytes(maxLength as number | undefined, opts).then(move),
    },
    poll: { waits: true, arity: 0, run: (end, _args, opts) => end.poll(opts ?? {}) },
    close: { waits: false, arity: 0, run: (end) => end.close() },
  },
};

registerRemoteKind(Connection, pipeEndServed, ConnectionHandle);
