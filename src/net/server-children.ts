/**
 * The child processes of a `processes: n` server (socketserver's `ForkingMixIn`, as a
 * pre-forked pool): each is sent the listening socket and serves it with its own
 * `TCPServer`; a child that dies is replaced; connections the parent happens to accept
 * are passed to a child, round robin.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import type { Server, Socket } from 'node:net';
import { decodeError } from '../codec/error-codec.js';
import { WorkerCrashedError } from '../errors.js';
import { isPortable } from '../portable/portable.js';
import { type ClassRef, classRefOf, isPortableClass } from '../portable/portable-class.js';
import { type TargetRef, targetRef } from '../portable/target-ref.js';
import { childFlags } from '../process/child-flags.js';
import { forkWeftChild } from '../process/reaper.js';
import {
  report,
  type ServerErrorHandler,
  type ServerErrorInfo,
  type ServerOptions,
} from './server-options.js';

const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './server-child-entry.ts' : './server-child-entry.js',
  import.meta.url,
);

/** How a child finds the handler: a portable function, or a portable class by `[module, name]`. */
export type HandlerRef = { fn: TargetRef } | { cls: ClassRef };

/** The messages between a server and its children. */
export type ChildMessage =
  | { $weftNetChild: 'serve'; handler: HandlerRef; options: ServerOptions }
  | { $weftNetChild: 'socket' }
  | { $weftNetChild: 'shutdown'; timeout: number }
  | { $weftNetChild: 'ready' }
  | { $weftNetChild: 'failed'; error: unknown }
  | { $weftNetChild: 'error'; error: unknown; info: ServerErrorInfo };

/** What a child is told to serve with: the options that cross (not `onError` nor `processes`). */
function childOptions(options: ServerOptions): ServerOptions {
  const { maxConnections, idleTimeout, maxLineLength, authKey } = options;
  return { maxConnections, idleTimeout, maxLineLength, authKey };
}

/** The reference a child loads `handler` by; a TypeError when it is no portable export. */
function handlerRef(handler: unknown): HandlerRef {
  if (isPortableClass(handler)) return { cls: classRefOf(handler) };
  if (isPortable(handler)) return { fn: targetRef(handler) };
  throw new TypeError(
    'new TCPServer(address, handler, { processes }): the handler must be a portable export that the child processes can import: ' +
      '`export const handle = portable(import.meta.url, async (h) => ...)`, or a handler class marked with portable(import.meta.url, Class)',
  );
}

/** A server's child processes. */
export class ServerChildren {
  private readonly ref: HandlerRef;
  private readonly options: ServerOptions;
  private readonly onError: ServerErrorHandler;
  private readonly count: number;
  private readonly ready: ChildProcess[] = [];
  private readonly all = new Set<ChildProcess>();
  private server: Server | undefined = undefined;
  private next = 0;
  private stopping = false;

  constructor(handler: unknown, options: ServerOptions, onError: ServerErrorHandler) {
    this.ref = handlerRef(handler);
    this.options = childOptions(options);
    this.onError = onError;
    this.count = options.processes ?? 0;
  }

  /** The pids of the children serving now. */
  get pids(): number[] {
    return this.ready.map((child) => child.pid!);
  }

  /** Forks the children with `server`; resolves once every one serves, rejects if one cannot start. */
  async start(server: Server): Promise<void> {
    this.server = server;
    const starts = Array.from({ length: this.count }, () => this.fork());
    const results = await Promise.allSettled(starts);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await this.stop(0);
      throw (failed as PromiseRejectedResult).reason;
    }
  }

  /** Passes a connection the parent accepted to a child. */
  forward(socket: Socket): void {
    if (this.ready.length === 0) {
      socket.destroy();
      return;
    }
    const child = this.ready[this.next++ % this.ready.length]!;
    child.send({ $weftNetChild: 'socket' } satisfies ChildMessage, socket, (error) => {
      if (error !== null) socket.destroy();
    });
  }

  /** Tells every child to shut down with `timeout`; kills those still alive a while after it. */
  async stop(timeout: number): Promise<void> {
    this.stopping = true;
    const exits = [...this.all].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          const message: ChildMessage = { $weftNetChild: 'shutdown', timeout };
          child.send(message, (error) => {
            if (error !== null) child.kill('SIGKILL');
          });
          // A child's own shutdown takes at most about twice its timeout; give it some more.
          setTimeout(() => child.kill('SIGKILL'), 2 * timeout + 2000).unref();
        }),
    );
    await Promise.all(exits);
  }

  private fork(): Promise<ChildProcess> {
    const child = forkWeftChild(ENTRY, {
      execArgv: childFlags(),
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    });
    this.all.add(child);
    return new Promise<ChildProcess>((resolve, reject) => {
      let serving = false;
      child.on('message', (message: ChildMessage) => {
        if (message?.$weftNetChild === 'ready') {
          serving = true;
          if (this.stopping) return;
          this.ready.push(child);
          resolve(child);
        } else if (message?.$weftNetChild === 'failed') {
          reject(decodeError(message.error));
        } else if (message?.$weftNetChild === 'error') {
          report(this.onError, decodeError(message.error), message.info);
        }
      });
      child.once('exit', (code, signal) => {
        this.all.delete(child);
        const at = this.ready.indexOf(child);
        if (at >= 0) this.ready.splice(at, 1);
        const error = new WorkerCrashedError(
          `server child process ${child.pid} exited ${signal === null ? `with code ${code}` : `by ${signal}`}`,
        );
        if (!serving) return reject(error);
        if (this.stopping) return;
        report(this.onError, error, { clientAddress: undefined, reason: 'child-exited' });
        // A replacement that cannot start is reported, not retried: it would fail again.
        this.fork().catch((failure: unknown) =>
          report(this.onError, failure, { clientAddress: undefined, reason: 'child-exited' }),
        );
      });
      const serve: ChildMessage = {
        $weftNetChild: 'serve',
        handler: this.ref,
        options: this.options,
      };
      child.send(serve, this.server!);
    });
  }
}
