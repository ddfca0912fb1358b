/**
 * The remote parties an owner serves: one `RemoteThread` per thread (of this or another
 * process) that reaches any of this thread's primitives, with one stable `TaskIdentity` per
 * task inside it, and what it holds of each primitive it reaches — so that when its last
 * connection to a primitive closes (it ended, was killed, or let go of every handle), what
 * it still held is given back.
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { TaskIdentity } from '../core/task-identity.js';
import type { GoneParty } from './served-kind.js';

/** Never aborts: remote parties are cancelled call by call, not through their identity. */
const NEVER = new AbortController().signal;
setMaxListeners(0, NEVER);

/** What one remote thread holds of one primitive. */
export interface Reach {
  /** Its connections to the primitive now open (one per handle it has). */
  connections: number;
  /** Units its calls took and have not given back (semaphore permits; see `MethodSpec.takes`). */
  taken: number;
}

/**
 * One remote thread, kept while any of its connections is open. A party's identity is held
 * weakly: while it owns something (an RLock, a parked wait) the primitive holds it and it
 * stays the same object; once nothing does, a fresh one is indistinguishable, so a
 * long-lived worker running many tasks leaves nothing behind.
 */
export class RemoteThread {
  private connections = 0;
  private readonly tasks = new Map<number, WeakRef<TaskIdentity>>();
  private readonly reach = new Map<object, Reach>();

  private constructor(readonly key: string) {}

  /** The thread called `key` (registered until its last connection closes), with one more connection to `target`. */
  static connect(key: string, target: object): { thread: RemoteThread; reach: Reach } {
    let thread = remoteThreads.get(key);
    if (thread === undefined) {
      thread = new RemoteThread(key);
      remoteThreads.set(key, thread);
    }
    thread.connections++;
    let reach = thread.reach.get(target);
    if (reach === undefined) {
      reach = { connections: 0, taken: 0 };
      thread.reach.set(target, reach);
    }
    reach.connections++;
    return { thread, reach };
  }

  /**
   * One connection to `target` closed. Returns what the thread still held of it when that
   * was its last connection to it (the thread is gone as far as `target` is concerned),
   * `undefined` while another of its handles still reaches it.
   */
  disconnect(target: object): GoneParty | undefined {
    if (--this.connections === 0) remoteThreads.delete(this.key);
    const reach = this.reach.get(target);
    if (reach === undefined || --reach.connections > 0) return undefined;
    this.reach.delete(target);
    return {
      owns: (identity) => identity !== undefined && ownerOf.get(identity) === this,
      taken: reach.taken,
    };
  }

  /** The identity the thread's task `task` (0: outside any task) runs under here. */
  identity(task: number): TaskIdentity {
    const known = this.tasks.get(task)?.deref();
    if (known !== undefined) return known;
    const identity: TaskIdentity = {
      // Negative: never equal to a task id of this thread.
      id: -nextRemoteId++,
      name: task === 0 ? `thread ${this.key}` : `Task-${task} of thread ${this.key}`,
      signal: NEVER,
      heldOrdinals: [],
      locals: undefined,
      localsShared: false,
    };
    this.tasks.set(task, new WeakRef(identity));
    ownerOf.set(identity, this);
    forgotten.register(identity, { thread: this, task });
    return identity;
  }

  /** @internal An identity was collected: forget its slot unless a new one took it. */
  forget(task: number): void {
    if (this.tasks.get(task)?.deref() === undefined) this.tasks.delete(task);
  }
}

const remoteThreads = new Map<string, RemoteThread>();
const ownerOf = new WeakMap<TaskIdentity, RemoteThread>();
let nextRemoteId = 1;

const forgotten = new FinalizationRegistry<{ thread: RemoteThread; task: number }>(
  ({ thread, task }) => thread.forget(task),
);
