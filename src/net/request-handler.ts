/**
 * The request handlers of socketserver: `BaseRequestHandler` (`setup`, `handle`,
 * `finish`), `StreamRequestHandler` (`rfile`/`wfile` over a TCP connection) and
 * `DatagramRequestHandler` (`packet` in, `wfile` the reply), and how a server runs one —
 * a subclass, or a plain function called with the handler instance.
 * @module
 */
import type { Socket as DatagramSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { describe } from '../core/options.js';
import { LineReader } from './line-reader.js';
import type { Address } from './server-options.js';
import { StreamWriter } from './stream-writer.js';

/**
 * One request, served by one instance: the server makes it with the request, the peer's
 * address and itself, then runs `setup()`, `handle()` and, when `handle` has returned or
 * thrown, `finish()` (socketserver's order). Override `handle`.
 *
 * @example
 * ```ts
 * class Hello extends BaseRequestHandler<Socket> {
 *   handle() { this.request.end(`hello ${this.clientAddress[0]}\n`); }
 * }
 * ```
 */
export class BaseRequestHandler<Request = unknown, Server = unknown> {
  /** The request: the connection's `net.Socket` (TCP), or `[packet, socket]` (UDP). */
  readonly request: Request;
  /** The peer's `[host, port]`. */
  readonly clientAddress: Address;
  /** The server that runs this handler. */
  readonly server: Server;

  constructor(request: Request, clientAddress: Address, server: Server) {
    this.request = request;
    this.clientAddress = clientAddress;
    this.server = server;
  }

  /** Runs before `handle` (default: nothing). */
  setup(): void | Promise<void> {}

  /** Serves the request (default: nothing). */
  handle(): void | Promise<void> {}

  /** Runs after `handle`, even when it threw (default: nothing). */
  finish(): void | Promise<void> {}
}

/** The reader and writer the server made for a connection, found by its socket. */
const streams = new WeakMap<Socket, { rfile: LineReader; wfile: StreamWriter }>();

/** @internal Gives `socket` the reader and writer its handler will use (the server's limits). */
export function attachStreams(socket: Socket, rfile: LineReader, wfile: StreamWriter): void {
  streams.set(socket, { rfile, wfile });
}

/**
 * A TCP connection's handler: `rfile` reads it by lines (`await readline()`, or `for
 * await` over it) and `wfile` writes to it (`await write(data)`, with backpressure). The
 * server ends the connection once the handler is done.
 *
 * @example
 * ```ts
 * class Echo extends StreamRequestHandler {
 *   async handle() {
 *     for await (const line of this.rfile) await this.wfile.write(line);
 *   }
 * }
 * const server = new TCPServer(['127.0.0.1', 0], Echo);
 * ```
 */
export class StreamRequestHandler<Server = unknown> extends BaseRequestHandler<Socket, Server> {
  /** The connection's input, by lines. */
  readonly rfile: LineReader;
  /** The connection's output. */
  readonly wfile: StreamWriter;

  constructor(request: Socket, clientAddress: Address, server: Server) {
    super(request, clientAddress, server);
    const attached = streams.get(request);
    this.rfile = attached?.rfile ?? new LineReader(request);
    this.wfile = attached?.wfile ?? new StreamWriter(request);
  }
}

/** A UDP handler's reply: bytes written during `handle`, sent as one datagram after it. */
export class DatagramWriter {
  private parts: Buffer[] = [];

  /** Adds `data` to the reply (synchronous: nothing is sent before `handle` returns). */
  write(data: Uint8Array | string): void {
    if (typeof data === 'string') this.parts.push(Buffer.from(data));
    else if (data instanceof Uint8Array) this.parts.push(Buffer.from(data));
    else
      throw new TypeError(
        `wfile.write(data): data must be bytes or a string, got ${describe(data)}`,
      );
  }

  /** @internal The reply so far, or `undefined` when nothing was written. */
  takeReply(): Buffer | undefined {
    if (this.parts.length === 0) return undefined;
    const reply = Buffer.concat(this.parts);
    this.parts = [];
    return reply;
  }
}

/**
 * A UDP datagram's handler: `packet` is what arrived, `wfile.write()` builds the reply,
 * which the server sends back to `clientAddress` when `handle` returns. `request` is
 * `[packet, socket]`, as in socketserver.
 *
 * @example
 * ```ts
 * class Time extends DatagramRequestHandler {
 *   handle() { this.wfile.write(new Date().toISOString()); }
 * }
 * const server = new UDPServer(['127.0.0.1', 0], Time);
 * ```
 */
export class DatagramRequestHandler<Server = unknown> extends BaseRequestHandler<
  [Buffer, DatagramSocket],
  Server
> {
  /** The datagram received. */
  readonly packet: Buffer;
  /** The reply, sent after `handle`. */
  readonly wfile = new DatagramWriter();

  constructor(request: [Buffer, DatagramSocket], clientAddress: Address, server: Server) {
    super(request, clientAddress, server);
    this.packet = request[0];
  }
}

/** A request-handler class: a subclass of `BaseRequestHandler`. */
export type HandlerClass = new (
  request: never,
  clientAddress: Address,
  server: never,
) => BaseRequestHandler<unknown, unknown>;

/** A handler as servers take it: a handler class, or a function called with the handler instance `H`. */
export type Handler<H> = HandlerClass | ((handler: H) => unknown);

/** Whether `handler` is a subclass of `BaseRequestHandler` (else it is a function handler). */
export function isHandlerClass(handler: unknown): boolean {
  return (
    typeof handler === 'function' &&
    (handler === BaseRequestHandler || handler.prototype instanceof BaseRequestHandler)
  );
}

/** Refuses what is neither a handler class nor a function, or a class that is no request handler. */
export function checkHandler(handler: unknown, where: string): void {
  if (typeof handler !== 'function') {
    throw new TypeError(
      `${where}: handler must be a request-handler class or a function, got ${describe(handler)}`,
    );
  }
  if (!isHandlerClass(handler) && /^class[\s{]/.test(Function.prototype.toString.call(handler))) {
    throw new TypeError(
      `${where}: handler class ${handler.name} must extend BaseRequestHandler (StreamRequestHandler, DatagramRequestHandler), or be a plain function`,
    );
  }
}

/**
 * The instance that serves one request: of the handler class, or, for a function handler,
 * of `base` (whose `setup` and `finish` do nothing).
 */
export function makeHandler(
  handler: unknown,
  base: new (
    request: never,
    clientAddress: Address,
    server: never,
  ) => BaseRequestHandler<unknown, unknown>,
  request: unknown,
  clientAddress: Address,
  server: unknown,
): BaseRequestHandler<unknown, unknown> {
  const make = (isHandlerClass(handler) ? handler : base) as new (
    request: unknown,
    clientAddress: Address,
    server: unknown,
  ) => BaseRequestHandler<unknown, unknown>;
  return new make(request, clientAddress, server);
}

/**
 * Serves one request with `instance` (from `makeHandler`): a handler class runs `setup`,
 * `handle` and `finish`; a function handler is called with it, and what it returns is
 * returned as it is — no promise of our own per request, which showed in connections per
 * second.
 */
export function runHandler(
  handler: unknown,
  instance: BaseRequestHandler<unknown, unknown>,
): unknown {
  if (!isHandlerClass(handler)) return (handler as (h: unknown) => unknown)(instance);
  return runLifecycle(instance);
}

async function runLifecycle(instance: BaseRequestHandler<unknown, unknown>): Promise<void> {
  await instance.setup();
  try {
    await instance.handle();
  } finally {
    await instance.finish();
  }
}
