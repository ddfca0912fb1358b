/**
 * `TCPServer` — socketserver's `ThreadingTCPServer` on the event loop: each connection is
 * served by its own weft task, and with `processes: n` by n child processes sharing the
 * listening socket (the `ForkingMixIn`).
 * @module
 */
import { createServer, type Server, type Socket } from 'node:net';
import { currentTask, spawn } from '../task/spawn.js';
import type { Task } from '../task/task.js';
import { DEFAULT_HANDSHAKE_TIMEOUT, deliverChallenge } from './challenge.js';
import { LineReader } from './line-reader.js';
import {
  attachStreams,
  checkHandler,
  type Handler,
  makeHandler,
  runHandler,
  StreamRequestHandler,
} from './request-handler.js';
import { ServerChildren } from './server-children.js';
import { ServerLifecycle, stopHandlers } from './server-lifecycle.js';
import {
  type Address,
  type CheckedOptions,
  checkServerArgs,
  reasonOf,
  report,
  type ServerOptions,
} from './server-options.js';
import { streamFrames } from './socket-frames.js';
import { StreamWriter } from './stream-writer.js';

/** @internal A child process of a `processes: n` server serves the listening socket it was sent. */
export const ADOPT: unique symbol = Symbol('weft.net.adopt');

/**
 * A TCP server (socketserver's `TCPServer` with the `ThreadingMixIn`): binding starts at
 * construction, `await listen()` gives the bound `[host, port]`, connections are served
 * from then on, each by its own task running `handler`; `serveForever()` resolves once the
 * server is shut down; `shutdown()` stops accepting, waits for the running handlers, kills
 * those still running after its timeout, and closes. A server never dies of its input: a
 * connection that fails ends alone and goes to `onError` with its reason.
 *
 * @example
 * ```ts
 * await using server = new TCPServer(['127.0.0.1', 0], async (h: StreamRequestHandler) => {
 *   for await (const line of h.rfile) await h.wfile.write(line);
 * });
 * const [host, port] = await server.listen();
 * ```
 */
export class TCPServer extends ServerLifecycle {
  private readonly options: CheckedOptions;
  private readonly handler: unknown;
  private readonly server: Server;
  private readonly tasks = new Map<Task<void>, Socket>();
  private readonly sockets = new Set<Socket>();
  private readonly waiting = new Set<Socket>();
  /** A 'close' listener shared by every connection (`this` is the socket): none made per connection. */
  private readonly forgetSocket: (this: Socket) => void;
  private children: ServerChildren | undefined = undefined;

  /**
   * Starts binding `address` (`[host, port]`, port 0 for any free one). `handler` is a
   * `StreamRequestHandler` subclass or a function called with one; with `processes`, a
   * portable export. Bad arguments are a TypeError or RangeError here.
   */
  constructor(
    address: Address,
    handler: Handler<StreamRequestHandler<TCPServer>>,
    options: ServerOptions = {},
  ) {
    super();
    const checked = checkServerArgs(address, options, 'new TCPServer(address, handler, options)');
    checkHandler(handler, 'new TCPServer(address, handler)');
    this.options = checked.options;
    this.handler = handler;
    const sockets = this.sockets;
    this.forgetSocket = function forget(this: Socket) {
      sockets.delete(this);
    };
    const adopted = (options as { [ADOPT]?: Server })[ADOPT];
    const processes = checked.options.processes;
    if (processes > 0) this.children = new ServerChildren(handler, options, this.options.onError);
    this.server =
      adopted ??
      createServer({ pauseOnConnect: processes > 0, noDelay: true, allowHalfOpen: true });
    // A handler may still answer a peer that has ended its side (socketserver's way).
    (this.server as Server & { allowHalfOpen: boolean }).allowHalfOpen = true;
    this.server.on('connection', (socket: Socket) => this.accept(socket));
    this.bound = new Promise<Address>((resolve, reject) => {
      const server = this.server;
      const listening = () => {
        server.off('error', reject);
        const { address: host, port } = server.address() as { address: string; port: number };
        resolve([host, port]);
      };
      if (adopted !== undefined) return listening();
      server.once('error', reject);
      server.listen(
        { host: checked.address[0], port: checked.address[1], backlog: checked.options.backlog },
        listening,
      );
    });
    if (this.children !== undefined) {
      const children = this.children;
      this.bound = this.bound.then(async (bound) => {
        await children.start(this.server);
        return bound;
      });
    }
    this.bindSettled();
    this.server.on('error', () => undefined);
  }

  /** The pids of the child processes serving now (`processes: n`), else empty. */
  get processIds(): number[] {
    return this.children?.pids ?? [];
  }

  /** Connections being served now (in this process). */
  get connectionCount(): number {
    return this.tasks.size;
  }

  protected async close(timeout: number): Promise<void> {
    await this.bound.catch(() => undefined);
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.waiting) socket.destroy();
    this.waiting.clear();
    const stopping = this.children?.stop(timeout);
    await stopHandlers(this.tasks.keys(), timeout);
    for (const socket of this.sockets) socket.destroy();
    await stopping;
    await serverClosed;
  }

  private accept(socket: Socket): void {
    if (this.shuttingDown !== undefined) {
      socket.destroy();
      return;
    }
    if (this.children !== undefined) {
      this.children.forward(socket);
      return;
    }
    this.sockets.add(socket);
    socket.on('close', this.forgetSocket);
    if (this.tasks.size >= this.options.maxConnections) {
      socket.on('error', ignore); // reported through the reads and writes that fail, once served
      socket.pause();
      this.waiting.add(socket);
      socket.once('close', () => this.waiting.delete(socket));
      return;
    }
    this.start(socket);
  }

  private start(socket: Socket): void {
    // Read from now on: what the peer sends, or its leaving, before the task starts is kept
    // (the reader also listens for the socket's errors, which reach the handler's reads).
    const rfile = new LineReader(socket, this.options.maxLineLength, this.options.idleTimeout);
    const clientAddress: Address = [socket.remoteAddress ?? '', socket.remotePort ?? 0];
    const task = spawn.named(
      `connection ${clientAddress[0]}:${clientAddress[1]}`,
      serveConnection,
      this,
      socket,
      clientAddress,
      rfile,
    );
    this.tasks.set(task, socket);
  }

  /** The end of a connection's task: the next waiting connection starts. */
  private connectionEnded(task: Task<void>): void {
    this.tasks.delete(task);
    if (this.shuttingDown !== undefined) return;
    for (const next of this.waiting) {
      this.waiting.delete(next);
      if (next.destroyed) continue;
      this.start(next);
      return;
    }
  }

  /** @internal Serves one connection, in its own task: handshake, handler, end; then the next waiting one starts. */
  async serve(socket: Socket, clientAddress: Address, rfile: LineReader): Promise<void> {
    const { idleTimeout, authKey, onError } = this.options;
    const wfile = new StreamWriter(socket);
    // Input on the connection makes the next write an answer that goes out at once.
    rfile.inputListener = wfile;
    try {
      if (authKey !== undefined) {
        await deliverChallenge(streamFrames(rfile, wfile), authKey, {
          timeout: idleTimeout || DEFAULT_HANDSHAKE_TIMEOUT,
        });
      }
      attachStreams(socket, rfile, wfile);
      const handler = makeHandler(this.handler, StreamRequestHandler, socket, clientAddress, this);
      await runHandler(this.handler, handler);
      // Ends once what was written is flushed; the peer need not close its side.
      socket.destroySoon();
    } catch (error) {
      socket.destroy();
      report(onError, error, {
        clientAddress,
        reason: reasonOf(error, this.shuttingDown !== undefined),
      });
    } finally {
      this.connectionEnded(currentTask() as Task<void>);
    }
  }
}

function serveConnection(
  server: TCPServer,
  socket: Socket,
  clientAddress: Address,
  rfile: LineReader,
): Promise<void> {
  return server.serve(socket, clientAddress, rfile);
}

function ignore(): void {}
