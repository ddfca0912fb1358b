/**
 * `UDPServer` — socketserver's `UDPServer` with the `ThreadingMixIn`: each datagram is
 * served by its own weft task, and the handler's reply goes back as one datagram.
 * @module
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { currentTask, spawn } from '../task/spawn.js';
import type { Task } from '../task/task.js';
import {
  checkHandler,
  DatagramRequestHandler,
  type Handler,
  makeHandler,
  runHandler,
} from './request-handler.js';
import { ServerLifecycle, stopHandlers } from './server-lifecycle.js';
import {
  type Address,
  type CheckedOptions,
  checkServerArgs,
  reasonOf,
  report,
  type ServerOptions,
} from './server-options.js';

/**
 * A UDP server: binding starts at construction, `await listen()` gives the bound
 * `[host, port]`; each datagram runs `handler` (a `DatagramRequestHandler` subclass or a
 * function called with one) in its own task, and what it wrote to `wfile` is sent back
 * when it returns. `maxConnections` bounds the handlers running at once (datagrams beyond
 * are dropped and reported as `overloaded`); `authKey`, `idleTimeout`, `maxLineLength`
 * and `processes` are for TCP only.
 *
 * @example
 * ```ts
 * await using server = new UDPServer(['127.0.0.1', 0], (h: DatagramRequestHandler) => {
 *   h.wfile.write(h.packet.toString().toUpperCase());
 * });
 * const [, port] = await server.listen();
 * ```
 */
export class UDPServer extends ServerLifecycle {
  private readonly options: CheckedOptions;
  private readonly handler: unknown;
  private readonly socket: Socket;
  private readonly tasks = new Set<Task<void>>();

  /** Starts binding `address`; bad arguments are a TypeError or RangeError here. */
  constructor(
    address: Address,
    handler: Handler<DatagramRequestHandler<UDPServer>>,
    options: ServerOptions = {},
  ) {
    super();
    const where = 'new UDPServer(address, handler, options)';
    const checked = checkServerArgs(address, options, where);
    checkHandler(handler, 'new UDPServer(address, handler)');
    for (const name of ['authKey', 'processes', 'idleTimeout', 'maxLineLength'] as const) {
      if ((options as ServerOptions)[name] !== undefined)
        throw new TypeError(`${where}: ${name} is an option of TCPServer only`);
    }
    this.options = checked.options;
    this.handler = handler;
    const [host, port] = checked.address;
    this.socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    this.socket.on('message', (packet, info) => this.receive(packet, [info.address, info.port]));
    this.bound = new Promise<Address>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: host, port }, () => {
        this.socket.off('error', reject);
        const { address: boundHost, port: boundPort } = this.socket.address();
        resolve([boundHost, boundPort]);
      });
    });
    this.bindSettled();
    this.socket.on('error', () => undefined);
  }

  protected async close(timeout: number): Promise<void> {
    const listening = await this.bound.then(
      () => true,
      () => false,
    );
    await stopHandlers(this.tasks, timeout);
    if (listening) await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private receive(packet: Buffer, clientAddress: Address): void {
    if (this.shuttingDown !== undefined) return;
    if (this.tasks.size >= this.options.maxConnections) {
      report(
        this.options.onError,
        new RangeError(`dropped a datagram: ${this.tasks.size} handlers running (maxConnections)`),
        {
          clientAddress,
          reason: 'overloaded',
        },
      );
      return;
    }
    const task = spawn.named(
      `datagram ${clientAddress[0]}:${clientAddress[1]}`,
      serveDatagram,
      this,
      packet,
      clientAddress,
    );
    this.tasks.add(task);
  }

  /** @internal Serves one datagram, in its own task. */
  async serve(packet: Buffer, clientAddress: Address): Promise<void> {
    const task = currentTask() as Task<void>;
    try {
      const handler = makeHandler(
        this.handler,
        DatagramRequestHandler,
        [packet, this.socket],
        clientAddress,
        this,
      );
      await runHandler(this.handler, handler);
      const reply = (handler as DatagramRequestHandler).wfile.takeReply();
      if (reply !== undefined && this.shuttingDown === undefined) {
        this.socket.send(reply, clientAddress[1], clientAddress[0], (error) => {
          if (error) report(this.options.onError, error, { clientAddress, reason: 'disconnected' });
        });
      }
    } catch (error) {
      report(this.options.onError, error, {
        clientAddress,
        reason: reasonOf(error, this.shuttingDown !== undefined),
      });
    } finally {
      this.tasks.delete(task);
    }
  }
}

function serveDatagram(server: UDPServer, packet: Buffer, clientAddress: Address): Promise<void> {
  return server.serve(packet, clientAddress);
}
