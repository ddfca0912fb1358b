/**
 * What `Listener` and `Client` share: the address and option checks, and turning a
 * connected socket into an authenticated `Connection`.
 * @module
 */

import type { Socket } from 'node:net';
import { describe, invalidTimeout, refuseUnknownOptions } from '../core/options.js';
import type { Connection } from '../pipe/pipe.js';
import {
  type AuthKey,
  authenticate,
  DEFAULT_HANDSHAKE_TIMEOUT,
  HANDSHAKE_FRAME_BYTES,
  keyBytes,
} from './challenge.js';
import { DEFAULT_MAX_MESSAGE_BYTES, SocketLink } from './socket-wire.js';

/** Where a `Listener` listens and a `Client` connects: `[host, port]` (TCP) or a Unix socket path. */
export type Address = readonly [host: string, port: number] | string;

/** The options `Listener` and `Client` both take. */
export interface ConnectionOptions {
  /** The shared secret both sides must prove they know (HMAC-SHA256 challenge, both ways). */
  authKey?: AuthKey | undefined;
  /** The largest message accepted (and sent), in bytes; default 32 MiB. */
  maxMessageBytes?: number | undefined;
}

/** Checked options of a Listener or a Client. */
export interface Settings {
  readonly key: Uint8Array | undefined;
  readonly maxMessageBytes: number;
  readonly timeout: number;
}

/** Checks `address` at the call that received it; returns `[host, port]` or the path. */
export function checkAddress(address: unknown, where: string): Address {
  if (typeof address === 'string') {
    if (address.length === 0) throw new TypeError(`${where}: a socket path must not be empty`);
    return address;
  }
  if (
    Array.isArray(address) &&
    address.length === 2 &&
    typeof address[0] === 'string' &&
    typeof address[1] === 'number'
  ) {
    const port = address[1];
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`${where}: port must be a whole number from 0 to 65535, got ${port}`);
    }
    return [address[0], port];
  }
  throw new TypeError(
    `${where}: address must be [host, port] or a Unix socket path, got ${describe(address)}`,
  );
}

/** Checks the options both take (plus `extra` known names, and `timeoutName` for the handshake bound). */
export function checkSettings(
  opts: unknown,
  where: string,
  extra: readonly string[],
  timeoutName: string,
): Settings {
  if (opts === undefined) opts = {};
  if (opts === null || typeof opts !== 'object') {
    throw new TypeError(`${where}: options must be an object, got ${describe(opts)}`);
  }
  refuseUnknownOptions(opts, ['authKey', 'maxMessageBytes', timeoutName, ...extra], where);
  const o = opts as ConnectionOptions & Record<string, unknown>;
  const key = o.authKey === undefined ? undefined : keyBytes(o.authKey, where);
  const max = o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 0xffff_ffff) {
    throw new RangeError(
      `${where}: maxMessageBytes must be a whole number of bytes from 1 to 2**32 - 1, got ${describe(max)}`,
    );
  }
  const timeout = o[timeoutName] ?? DEFAULT_HANDSHAKE_TIMEOUT;
  const invalid = invalidTimeout(timeout, `${where} (${timeoutName})`);
  if (invalid) throw invalid;
  return { key, maxMessageBytes: max, timeout: timeout as number };
}

/**
 * A `Connection` over the connected `socket`, once the peer passed the challenge both
 * ways (`side` says who challenges first). Until then frames longer than a handshake
 * frame end the connection, so an unauthenticated peer cannot make us buffer much.
 * Rejects with `AuthenticationError` (the socket destroyed) when the handshake fails.
 */
export async function establish(
  socket: Socket,
  settings: Settings,
  side: 'server' | 'client',
  timeout = settings.timeout,
): Promise<Connection> {
  const { key, maxMessageBytes } = settings;
  const link = new SocketLink(
    socket,
    maxMessageBytes,
    key === undefined ? maxMessageBytes : HANDSHAKE_FRAME_BYTES,
  );
  if (key === undefined) return link.connection;
  try {
    await authenticate(link.connection, key, side, timeout);
  } catch (error) {
    // The refusal (#FAILURE#) still leaves before the socket closes.
    socket.destroySoon();
    throw error;
  }
  link.maxFrame = maxMessageBytes;
  return link.connection;
}
