/**
 * `Listener` — Python's `multiprocessing.connection.Listener`: accepts connections on a
 * TCP address or a Unix socket path, each a `Connection` (the class `Pipe` ends are),
 * authenticated both ways when an `authKey` is given.
 * @module
 */

import { createServer, type Server, type Socket } from 'node:net';
import { describe, refuseWait, type WaitOptions } from '../core/options.js';
import { WaiterQueue } from '../core/waiter.js';
import { RuntimeError, TimeoutError } from '../errors.js';
import type { Connection } from '../pipe/pipe.js';
import { Deque } from '../queue/deque.js';
import {
  type Address,
  type ConnectionOptions,
  checkAddress,
  checkSettings,
  establish,
  type Settings,
} from './connection-setup.js';

/** Options of `new Listener(address, opts)`. */
export interface ListenerOptions extends ConnectionOptions {
  /** How many connections the system queues before `accept` takes them (the listen backlog). */
  backlog?: number | undefined;
  /** How long `accept` waits for each frame of a client's handshake, in ms (default 10 000). */
  handshakeTimeout?: number | undefined;
}

/**
 * Listens for `Client` connections. `await listen()` binds and resolves with the bound
 * address (port 0 picks a free port); `accept()` takes the next connection — with an
 * `authKey`, only once the client proved it knows the key and the listener proved it too
 * (HMAC-SHA256 challenge both ways). A client that fails, or says nothing within
 * `handshakeTimeout`, makes that `accept` reject with `AuthenticationError`; the listener
 * goes on accepting. `close()` stops listening; connections already accepted stay open.
 *
 * @example
 * ```ts
 * await using listener = new Listener(['127.0.0.1', 0], { authKey: 'secret' });
 * const address = await listener.listen();
 * const client = Client(address, { authKey: 'secret' });
 * await using server = await listener.accept();
 * await (await client).send({ hello: 'world' });
 * console.log(await server.recv()); // { hello: 'world' }
 * ```
 */
export class Listener implements AsyncDisposable {
  private readonly where: string;
  private readonly requested: Address;
  private readonly settings: Settings;
  private readonly backlog: number | undefined;
  private readonly server: Server;
  private readonly waiting = new Deque<Socket>();
  private readonly acceptors = new WaiterQueue<Socket>();
  private listening: Promise<Address> | undefined = undefined;
  private bound: Address | undefined = undefined;
  private isClosed = false;

  constructor(address: Address, opts?: ListenerOptions) {
    this.where = 'new Listener()';
    this.requested = checkAddress(address, this.where);
    this.settings = checkSettings(opts, this.where, ['backlog'], 'handshakeTimeout');
    const backlog = opts?.backlog;
    if (backlog !== undefined && (!Number.isInteger(backlog) || backlog < 0)) {
      throw new RangeError(
        `${this.where}: backlog must be a whole number >= 0, got ${describe(backlog)}`,
      );
    }
    this.backlog = backlog;
    this.server = createServer({ noDelay: true }, (socket) => this.arrived(socket));
  }

  /** The bound address once `listen()` resolved: `[host, port]`, or the socket path. */
  get address(): Address | undefined {
    return this.bound;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Binds and listens (idempotent); resolves with the bound address, rejects with the bind error. */
  listen(): Promise<Address> {
    if (this.isClosed) return Promise.reject(closedError('listen'));
    this.listening ??= new Promise<Address>((resolve, reject) => {
      const failed = (error: Error): void => reject(error);
      this.server.once('error', failed);
      const address = this.requested;
      const options =
        typeof address === 'string'
          ? { path: address, backlog: this.backlog }
          : { host: address[0], port: address[1], backlog: this.backlog };
      this.server.listen(options, () => {
        this.server.off('error', failed);
        // Later server errors end pending accepts instead of crashing the process.
        this.server.on('error', (error) => this.acceptors.rejectAll(error));
        const bound = this.server.address();
        this.bound =
          typeof bound === 'string' || bound === null ? address : [bound.address, bound.port];
        resolve(this.bound);
      });
    });
    return this.listening;
  }

  /**
   * The next connection, waiting for a client (listening first if `listen()` was not
   * called). Rejects with `AuthenticationError` when that client fails the handshake —
   * the next `accept` takes the next client —, weft's `TimeoutError` when no client came
   * within `timeout`, the signal's reason when aborted (also during a handshake: that
   * client is then disconnected), `RuntimeError` once closed.
   */
  async accept(opts?: WaitOptions): Promise<Connection> {
    if (this.isClosed) throw closedError('accept');
    if (opts !== undefined) {
      const refused = refuseWait(opts, 'Listener.accept');
      if (refused) return refused;
    }
    await this.listen();
    if (this.isClosed) throw closedError('accept');
    const socket = this.waiting.shift() ?? (await this.acceptors.wait(opts, acceptTimedOut));
    const signal = opts?.signal;
    if (signal === undefined) return establish(socket, this.settings, 'server');
    // The signal also ends a handshake under way: that client is disconnected.
    const abort = (): void => {
      socket.destroy();
    };
    signal.addEventListener('abort', abort, { once: true });
    try {
      return await establish(socket, this.settings, 'server');
    } catch (error) {
      throw signal.aborted ? signal.reason : error;
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  /** Stops listening (idempotent): waiting `accept`s reject, clients not yet accepted are disconnected. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.server.close();
    this.acceptors.rejectAll(closedError('accept'));
    for (let socket = this.waiting.shift(); socket !== undefined; socket = this.waiting.shift()) {
      socket.destroy();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  private arrived(socket: Socket): void {
    // Until a Connection owns it, a failing socket must not crash the process.
    socket.on('error', ignore);
    if (this.isClosed) {
      socket.destroy();
      return;
    }
    if (!this.acceptors.wakeFirst(socket)) this.waiting.push(socket);
  }
}

function ignore(): void {}

const acceptTimedOut = (): never => {
  throw new TimeoutError('Listener.accept(): no client connected within the timeout');
};

function closedError(method: string): RuntimeError {
  return new RuntimeError(`Listener.${method}(): the listener is closed`);
}
