/**
 * What `TCPServer` and `UDPServer` share: their options and their checks, the address
 * form, and how a failure is named when it goes to `onError`.
 * @module
 */
import { describe, refuseUnknownOptions } from '../core/options.js';
import { AuthenticationError, CancelledError, TimeoutError } from '../errors.js';
import { checkLength, DEFAULT_MAX_LINE_LENGTH, isLineTooLong } from './line-reader.js';

/** A host and a port: `['127.0.0.1', 0]` binds any free port. */
export type Address = [host: string, port: number];

/**
 * Why a connection (or a packet, or a child) ended in a failure:
 * - `handler`: the handler threw;
 * - `line-too-long`: a line longer than `maxLineLength` (its `RangeError` uncaught);
 * - `idle`: no input for `idleTimeout` ms while the handler waited for some;
 * - `authentication`: the client failed the HMAC challenge (`authKey`);
 * - `disconnected`: the peer reset or left while the handler still wrote or read;
 * - `shutdown`: the handler was still running when `shutdown`'s timeout ran out, and was killed;
 * - `overloaded`: a datagram arrived while `maxConnections` handlers were running, and was dropped;
 * - `child-exited`: a child process of a `processes: n` server died (it is replaced).
 */
export type ServerErrorReason =
  | 'handler'
  | 'line-too-long'
  | 'idle'
  | 'authentication'
  | 'disconnected'
  | 'shutdown'
  | 'overloaded'
  | 'child-exited';

/** What `onError` is told besides the error. */
export interface ServerErrorInfo {
  /** The peer's `[host, port]`; `undefined` for a child process's death. */
  clientAddress: Address | undefined;
  /** Why it ended; see {@link ServerErrorReason}. */
  reason: ServerErrorReason;
}

/** Told of each connection that ends in a failure; it never stops the server. */
export type ServerErrorHandler = (error: unknown, info: ServerErrorInfo) => void;

/** Options of `new TCPServer(address, handler, options)` (and, where they apply, `UDPServer`). */
export interface ServerOptions {
  /**
   * Most connections served at once (default: no limit). Further ones wait, accepted but
   * unread, until one ends. For `UDPServer`, most handlers at once; datagrams beyond are
   * dropped (reported as `overloaded`). With `processes`, the limit of each process.
   */
  maxConnections?: number | undefined;
  /** Close a connection whose handler waits this many ms for input that does not come (default: never). */
  idleTimeout?: number | undefined;
  /** Longest line `rfile.readline()` accepts, `\n` included (default 64 KiB). */
  maxLineLength?: number | undefined;
  /** Every connection must answer the HMAC-SHA256 challenge for this key before its handler runs. */
  authKey?: Uint8Array | string | undefined;
  /** Told of every connection that ends in a failure (default: a line on stderr, as socketserver prints). */
  onError?: ServerErrorHandler | undefined;
  /** Serve from this many child processes sharing the listening socket; the handler must then be a portable export. */
  processes?: number | undefined;
  /** Most connections waiting in the kernel to be accepted (default: Node's, 511). */
  backlog?: number | undefined;
}

/** The options, checked, with their defaults. */
export interface CheckedOptions {
  maxConnections: number;
  idleTimeout: number;
  maxLineLength: number;
  authKey: Uint8Array | string | undefined;
  onError: ServerErrorHandler;
  processes: number;
  backlog: number | undefined;
}

const KNOWN = [
  'maxConnections',
  'idleTimeout',
  'maxLineLength',
  'authKey',
  'onError',
  'processes',
  'backlog',
];

/** Checks `address` and the options at the constructor; TypeError or RangeError naming what is wrong. */
export function checkServerArgs(
  address: unknown,
  options: unknown,
  where: string,
): { address: Address; options: CheckedOptions } {
  if (
    !Array.isArray(address) ||
    address.length !== 2 ||
    typeof address[0] !== 'string' ||
    typeof address[1] !== 'number'
  ) {
    throw new TypeError(`${where}: address must be [host, port], got ${describe(address)}`);
  }
  const port = address[1] as number;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${where}: port must be an integer from 0 to 65535, got ${port}`);
  }
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  refuseUnknownOptions(options, KNOWN, where);
  const o = options as ServerOptions;
  const count = (value: unknown, name: string): number =>
    value === undefined ? 0 : checkLength(value, 0, `${where}: ${name}`);
  if (o.idleTimeout !== undefined && (typeof o.idleTimeout !== 'number' || !(o.idleTimeout > 0))) {
    throw new TypeError(
      `${where}: idleTimeout must be a positive number of ms, got ${describe(o.idleTimeout)}`,
    );
  }
  if (
    o.authKey !== undefined &&
    typeof o.authKey !== 'string' &&
    !(o.authKey instanceof Uint8Array)
  ) {
    throw new TypeError(`${where}: authKey must be bytes or a string, got ${describe(o.authKey)}`);
  }
  if (o.onError !== undefined && typeof o.onError !== 'function') {
    throw new TypeError(`${where}: onError must be a function, got ${describe(o.onError)}`);
  }
  return {
    address: [address[0] as string, port],
    options: {
      maxConnections: count(o.maxConnections, 'maxConnections') || Infinity,
      idleTimeout: o.idleTimeout === Infinity ? 0 : (o.idleTimeout ?? 0),
      maxLineLength: checkLength(
        o.maxLineLength,
        DEFAULT_MAX_LINE_LENGTH,
        `${where}: maxLineLength`,
      ),
      authKey: o.authKey,
      onError: o.onError ?? printError,
      processes: count(o.processes, 'processes'),
      backlog: o.backlog === undefined ? undefined : checkLength(o.backlog, 0, `${where}: backlog`),
    },
  };
}

/** The default `onError`: one line on stderr, as socketserver's `handle_error` prints. */
function printError(error: unknown, { clientAddress, reason }: ServerErrorInfo): void {
  const from = clientAddress === undefined ? '' : ` from ${clientAddress[0]}:${clientAddress[1]}`;
  const what = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  process.stderr.write(`weft server: ${reason}${from}: ${what}\n`);
}

const PEER_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

/** The reason a connection's failure is reported under. */
export function reasonOf(error: unknown, shuttingDown: boolean): ServerErrorReason {
  if (isLineTooLong(error)) return 'line-too-long';
  if (error instanceof TimeoutError) return 'idle';
  if (error instanceof AuthenticationError) return 'authentication';
  if (error instanceof CancelledError && shuttingDown) return 'shutdown';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && PEER_GONE.has(code)) return 'disconnected';
  if ((error as Error | null)?.name === 'BrokenPipeError') return 'disconnected';
  return 'handler';
}

/** Calls `onError`, whose own failure must not end the server either. */
export function report(onError: ServerErrorHandler, error: unknown, info: ServerErrorInfo): void {
  try {
    onError(error, info);
  } catch (thrown) {
    printError(thrown, info);
  }
}
