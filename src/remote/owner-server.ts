/**
 * The owner's side of a `'port'` handle: serves calls arriving on a `MessagePort` against
 * the real primitive, each one as the remote party that made it.
 *
 * Identity: every call names its party — the calling thread and the task inside it — and
 * runs under one stable `TaskIdentity` per party, so an `RLock` taken by a task in a
 * worker is re-entrant for that task and refused to everyone else, across all handles
 * that thread holds. Waits carry the caller's timeout and are withdrawn by a cancel
 * message (or when the handle goes away) through an `AbortController`, so the primitive's
 * own no-trace guarantees apply unchanged.
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { Transferable } from 'node:worker_threads';
import { decodeValues, encodeValue } from '../codec/codec.js';
import { whenDecodable } from '../codec/decodable.js';
import type { LiveState } from '../codec/descriptor.js';
import { encodeError } from '../codec/error-codec.js';
import type { WaitOptions } from '../core/options.js';
import { runAsIdentity, type TaskIdentity } from '../core/task-identity.js';
import { isThenable } from '../core/thenable.js';
import { destinationOf, type Endpoint } from './endpoint.js';
import { disconnectValue } from './handle.js';
import type { CallMessage, Reply, ToOwner } from './protocol.js';
import type { ConnectionScope, MethodSpec, ServedKind } from './served-kind.js';

/** The abort reason of a wait withdrawn for its handle: recognised, and answered as `cancelled`. */
const WITHDRAWN: unique symbol = Symbol('weft.handle.withdrawn');

/** Never aborts: remote parties are cancelled call by call, not through their identity. */
const NEVER = new AbortController().signal;
setMaxListeners(0, NEVER);

/**
 * The parties of one remote thread, kept while any of its connections is open. A party's
 * identity is held weakly: while it owns something (an RLock, a parked wait) the primitive
 * holds it and it stays the same object; once nothing does, a fresh one is
 * indistinguishable, so a long-lived worker running many tasks leaves nothing behind.
 */
interface RemoteThread {
  connections: number;
  readonly tasks: Map<number, WeakRef<TaskIdentity>>;
}

const remoteThreads = new Map<string, RemoteThread>();
let nextRemoteId = 1;

const forgotten = new FinalizationRegistry<{ thread: RemoteThread; task: number }>(
  ({ thread, task }) => {
    if (thread.tasks.get(task)?.deref() === undefined) thread.tasks.delete(task);
  },
);

function identityOf(thread: RemoteThread, key: string, task: number): TaskIdentity {
  const known = thread.tasks.get(task)?.deref();
  if (known !== undefined) return known;
  const identity: TaskIdentity = {
    // Negative: never equal to a task id of this thread.
    id: -nextRemoteId++,
    name: task === 0 ? `thread ${key}` : `Task-${task} of thread ${key}`,
    signal: NEVER,
    heldOrdinals: [],
    locals: undefined,
    localsShared: false,
  };
  thread.tasks.set(task, new WeakRef(identity));
  forgotten.register(identity, { thread, task });
  return identity;
}

/** Starts serving `target` (of `kind`) on `port` (a `MessagePort`, or a socket channel). */
export function serve(target: unknown, kind: ServedKind, port: Endpoint): void {
  new ServerConnection(target, kind, port);
}

/** One handle's connection to its primitive. */
class ServerConnection implements ConnectionScope {
  readonly objects = new Map<number, unknown>();
  private readonly pending = new Map<number, AbortController>();
  private cleanups: (() => void)[] | undefined = undefined;
  private threadKey: string | undefined = undefined;
  private thread: RemoteThread | undefined = undefined;
  private closed = false;
  /**
   * Messages that arrived while a call waited for the portable classes of its arguments to
   * load: served after it, in order (a `put` never overtakes an earlier one).
   */
  private backlog: ToOwner[] | undefined = undefined;

  constructor(
    private readonly target: unknown,
    private readonly kind: ServedKind,
    private readonly port: Endpoint,
  ) {
    port.on('message', (message: ToOwner) => this.receive(message));
    port.on('close', () => this.close());
    // Serving a handle never keeps the owner alive: when the owner ends, its handles fail.
    port.unref();
  }

  onClose(cleanup: () => void): void {
    (this.cleanups ??= []).push(cleanup);
  }

  private receive(message: ToOwner): void {
    if (this.backlog !== undefined) {
      this.backlog.push(message);
      return;
    }
    const classes = message.op === 'call' ? whenDecodable(message.args) : undefined;
    if (classes !== undefined) {
      this.backlog = [];
      classes
        .then(
          () => this.call(message as CallMessage),
          (err: unknown) => this.fail((message as CallMessage).id, err),
        )
        .then(() => this.serveBacklog());
      return;
    }
    switch (message.op) {
      case 'call':
        this.call(message);
        break;
      case 'cancel':
        this.pending.get(message.id)?.abort(WITHDRAWN);
        break;
      case 'hello':
        this.greet(message.thread);
        break;
      case 'attach':
        serve(this.target, this.kind, message.port);
        break;
    }
  }

  private serveBacklog(): void {
    const backlog = this.backlog!;
    this.backlog = undefined;
    for (let i = 0; i < backlog.length; i++) {
      if (this.backlog !== undefined) {
        // Another call waits for its classes now: the rest stay behind it.
        (this.backlog as ToOwner[]).push(...backlog.slice(i));
        return;
      }
      this.receive(backlog[i]!);
    }
  }

  private greet(key: string): void {
    if (this.thread !== undefined) return;
    let thread = remoteThreads.get(key);
    if (thread === undefined) {
      thread = { connections: 0, tasks: new Map() };
      remoteThreads.set(key, thread);
    }
    thread.connections++;
    this.thread = thread;
    this.threadKey = key;
  }

  private call(message: CallMessage): void {
    const { id, method } = message;
    const methods = this.kind.methods;
    const spec = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (spec === undefined) {
      this.fail(id, new TypeError(`${this.className}: a handle cannot call ${method}()`));
      return;
    }
    let opts: WaitOptions | undefined;
    if (spec.waits) {
      // Every wait can be withdrawn: by the caller's cancel, or when the handle goes away.
      const controller = new AbortController();
      // Withdrawn already: by the caller, or by the handle going away while it waited in the backlog.
      if (message.aborted || this.closed) controller.abort(WITHDRAWN);
      this.pending.set(id, controller);
      opts = { timeout: message.timeout, signal: controller.signal };
    }
    const identity = this.identity(message.party);
    let result: unknown;
    try {
      const args = decodeValues(message.args);
      result = runAsIdentity(identity, () => spec.run(this.target, args, opts, this));
    } catch (err) {
      this.fail(id, err);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.succeed(id, value, spec, identity),
        (err: unknown) => {
          if (err === WITHDRAWN && this.closed) this.orphan(spec, identity, undefined, true);
          this.fail(id, err);
        },
      );
    } else this.succeed(id, result, spec, identity);
  }

  private identity(task: number): TaskIdentity {
    if (this.thread === undefined) this.greet('unknown');
    return identityOf(this.thread!, this.threadKey!, task);
  }

  private succeed(
    id: number,
    value: unknown,
    spec: MethodSpec<unknown>,
    identity: TaskIdentity,
  ): void {
    this.pending.delete(id);
    if (this.closed) {
      this.orphan(spec, identity, value, false);
      return;
    }
    let encoded: { value: unknown; transfer: Transferable[] };
    try {
      encoded = encodeValue(
        value,
        `${this.className} (answer to a handle)`,
        destinationOf(this.port),
      );
    } catch (err) {
      this.fail(id, err);
      return;
    }
    this.post({ id, ok: true, value: encoded.value, state: this.state() }, encoded.transfer);
  }

  /** Nobody will see the outcome of a call: undo what it left held for its party. */
  private orphan(
    spec: MethodSpec<unknown>,
    identity: TaskIdentity,
    value: unknown,
    withdrawn: boolean,
  ): void {
    const orphaned = spec.orphaned;
    if (orphaned === undefined) return;
    try {
      runAsIdentity(identity, () => orphaned(this.target, value, withdrawn));
    } catch {
      // Already given back some other way; nothing is left to undo.
    }
  }

  private fail(id: number, err: unknown): void {
    this.pending.delete(id);
    if (this.closed) return;
    if (err === WITHDRAWN) {
      this.post({ id, cancelled: true, state: this.state() });
      return;
    }
    if (!this.post({ id, ok: false, error: encodeError(err), state: this.state() })) {
      // The thrown value itself cannot cross: send what can be said about it.
      this.post({
        id,
        ok: false,
        error: encodeError(new TypeError(`${this.className}: the call failed with ${String(err)}`)),
      });
    }
  }

  private state(): LiveState | undefined {
    return this.kind.state?.(this.target);
  }

  private post(reply: Reply, transfer?: Transferable[]): boolean {
    try {
      this.port.postMessage(reply, transfer);
      return true;
    } catch {
      return false;
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    // Withdraw every wait still parked for this handle: no item or permit goes to a party that is gone.
    for (const controller of this.pending.values()) controller.abort(WITHDRAWN);
    const cleanups = this.cleanups;
    this.cleanups = undefined;
    if (cleanups !== undefined) for (const cleanup of cleanups) cleanup();
    for (const object of this.objects.values()) disconnectValue(object);
    this.objects.clear();
    const thread = this.thread;
    if (thread !== undefined && --thread.connections === 0) {
      remoteThreads.delete(this.threadKey!);
    }
  }

  private get className(): string {
    return this.kind.info(this.target).className;
  }
}
