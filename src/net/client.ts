/**
 * `Client` — Python's `multiprocessing.connection.Client`: connects to a `Listener` and
 * returns the `Connection`, authenticated both ways when an `authKey` is given.
 * @module
 */

import { connect, type Socket } from 'node:net';
import { TimeoutError } from '../errors.js';
import type { Connection } from '../pipe/pipe.js';
import {
  type Address,
  type ConnectionOptions,
  checkAddress,
  checkSettings,
  establish,
} from './connection-setup.js';

/** Options of `Client(address, opts)`. */
export interface ClientOptions extends ConnectionOptions {
  /** How long connecting may take, and then each wait of the handshake, in ms (default 10 000). */
  timeout?: number | undefined;
}

/**
 * Connects to the `Listener` at `address` (`[host, port]` or a Unix socket path) and
 * resolves with the `Connection` — the class `Pipe` ends are. With an `authKey`, the
 * listener and this client each prove they know it (HMAC-SHA256 challenge both ways)
 * before any message is decoded: a mismatch rejects with `AuthenticationError` on both
 * sides. Rejects with the socket's error when nobody listens there, weft's `TimeoutError`
 * when connecting takes longer than `timeout`. Bad arguments throw at the call.
 *
 * @example
 * ```ts
 * await using conn = await Client(['127.0.0.1', 6000], { authKey: 'secret' });
 * await conn.send([1, 2, 3]);
 * console.log(await conn.recv());
 * ```
 */
export function Client(address: Address, opts?: ClientOptions): Promise<Connection> {
  const where = 'Client()';
  const target = checkAddress(address, where);
  const settings = checkSettings(opts, where, [], 'timeout');
  const socket =
    typeof target === 'string'
      ? connect({ path: target, noDelay: true })
      : connect({ host: target[0], port: target[1], noDelay: true });
  return connected(socket, settings.timeout).then(() => establish(socket, settings, 'client'));
}

/** Resolves once `socket` connected; rejects (the socket destroyed) on its error or after `timeout` ms. */
function connected(socket: Socket, timeout: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = Number.isFinite(timeout)
      ? setTimeout(() => {
          done();
          socket.destroy();
          reject(new TimeoutError(`Client(): could not connect within ${timeout} ms`));
        }, timeout)
      : undefined;
    const failed = (error: Error): void => {
      done();
      socket.destroy();
      reject(error);
    };
    const ok = (): void => {
      done();
      resolve();
    };
    const done = (): void => {
      clearTimeout(timer);
      socket.off('error', failed).off('connect', ok);
    };
    socket.once('error', failed).once('connect', ok);
  });
}
