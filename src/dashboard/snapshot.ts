/**
 * What the dashboard shows, as one JSON object: the page renders it, `/snapshot` returns it
 * and `/events` pushes it. Times are ms since the epoch; ages and rates are worked out by
 * the server, so the page needs no clock of its own.
 * @module
 */

/** The figures of one queue: a `RedisQueue`, or the task queue of a `RedisExecutor`. */
export interface QueueFigures {
  readonly name: string;
  /** Items nobody holds: put and not yet got, or given back. */
  readonly waiting: number;
  /** Items got (leased) and not yet acknowledged. */
  readonly inFlight: number;
  /** Items finished a second over the last minute, or `null` until two looks were taken. */
  readonly donePerSecond: number | null;
  /** Items added a second over the last minute, or `null` until two looks were taken. */
  readonly addedPerSecond: number | null;
  /** Age of the oldest item still in the queue (waiting or in flight), or `null` when none. */
  readonly oldestAgeMs: number | null;
  /** `graceful` or `immediate` once shut down, else `null`. */
  readonly shutDown: 'graceful' | 'immediate' | null;
}

/** A `RedisExecutor`'s task queue: the queue figures and what only tasks have. */
export interface ExecutorFigures extends QueueFigures {
  /** Tasks waiting for a retry. */
  readonly retrying: number;
  /** Dead letters. */
  readonly dead: number;
  /** Workers seen alive. */
  readonly workers: number;
}

/** `alive`: beating; `late`: its heartbeat is overdue; `stopped`: it closed; `lost`: its heartbeat expired. */
export type WorkerHealth = 'alive' | 'late' | 'stopped' | 'lost';

/** One `RedisWorker`, as its heartbeat says. */
export interface WorkerFigures {
  readonly queue: string;
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly mode: string;
  readonly concurrency: number;
  readonly health: WorkerHealth;
  /** `running` or `closing`, as the worker last said. */
  readonly state: string;
  /** Ms since its last heartbeat. */
  readonly heartbeatAgeMs: number;
  readonly current: readonly {
    readonly id: string;
    readonly task: string;
    readonly runningMs: number;
  }[];
  readonly done: number;
  readonly failed: number;
}

/** One task that failed after its retries. */
export interface DeadLetterFigures {
  readonly queue: string;
  readonly id: string;
  /** `module#export`. */
  readonly task: string;
  readonly error: { readonly name: string; readonly message: string; readonly stack: string };
  readonly attempts: number;
  readonly time: number;
  readonly worker: string;
}

/** Everything the page shows at one moment. */
export interface DashboardSnapshot {
  /** When it was taken. */
  readonly time: number;
  /** What it shows: the Redis address (without a password), or `this program`. */
  readonly source: string;
  /** Why the last look failed (Redis unreachable), or `null`; the lists then are the last ones seen. */
  readonly error: string | null;
  readonly queues: readonly QueueFigures[];
  readonly executors: readonly ExecutorFigures[];
  readonly workers: readonly WorkerFigures[];
  readonly deadLetters: readonly DeadLetterFigures[];
}

/** Where the dashboard's snapshots come from, and what its re-drive button does. */
export interface SnapshotSource {
  /** What the page names as its source. */
  readonly name: string;
  /** Looks at everything now. */
  take(): Promise<DashboardSnapshot>;
  /** Puts the dead letter `id` of task queue `queue` back; resolves with whether there was one. */
  redrive(queue: string, id: string): Promise<boolean>;
  /** Releases what the source holds. */
  close(): Promise<void>;
}
