/**
 * What the dashboard shows, as one JSON object (the types, and `snapshotOf` that puts one
 * together): the page renders it, `/snapshot` returns it and `/events` pushes it. Times are ms since the epoch; ages and rates are worked out by
 * the server, so the page needs no clock of its own.
 *
 * Two sources fill it (`scope`): a Redis (redis-source.ts: its `RedisQueue`s, `RedisExecutor`
 * task queues, workers and dead letters) and this program (local-source.ts: its live queues,
 * executors and pools, and their workers). A figure one of them does not have is `null`.
 * @module
 */

/** What a snapshot shows: a Redis, or the program that serves the dashboard. */
export type DashboardScope = 'redis' | 'program';

/**
 * The figures of one queue: a `RedisQueue` or the task queue of a `RedisExecutor`; in this
 * program, a `Queue` (or kin), a `SharedQueue`, an executor or a pool.
 */
export interface QueueFigures {
  /** Its name; in this program, the name given or a label such as `Queue 3 (maxsize 10)`. */
  readonly name: string;
  /** Items nobody holds: put and not yet got, or given back (in this program: `qsize()`, or tasks not started). */
  readonly waiting: number;
  /**
   * Items got (leased) and not yet acknowledged. In this program: items got and not yet
   * marked `taskDone()`, or tasks running.
   */
  readonly inFlight: number;
  /**
   * Items finished a second over the last minute (in this program: items got, or tasks
   * done), or `null` until two looks were taken.
   */
  readonly donePerSecond: number | null;
  /** Items added a second over the last minute, or `null` until two looks were taken. */
  readonly addedPerSecond: number | null;
  /** Age of the oldest item still in the queue (waiting or in flight), or `null` when none or not known (this program). */
  readonly oldestAgeMs: number | null;
  /** `graceful` or `immediate` once shut down, else `null`. */
  readonly shutDown: 'graceful' | 'immediate' | null;
}

/** A `RedisExecutor`'s task queue, or an executor or pool of this program: the queue figures and what only tasks have. */
export interface ExecutorFigures extends QueueFigures {
  /** Tasks that failed a second over the last minute (this program; `null` on Redis, which counts dead letters). */
  readonly failedPerSecond: number | null;
  /** Tasks waiting for a retry (Redis; `null` in this program, which does not retry). */
  readonly retrying: number | null;
  /** Dead letters (Redis; `null` in this program, which keeps none). */
  readonly dead: number | null;
  /** Workers seen alive (`null` for a `TaskPool`, whose tasks run on this event loop). */
  readonly workers: number | null;
}

/** `alive`: beating; `late`: its heartbeat is overdue; `stopped`: it closed; `lost`: its heartbeat expired. */
export type WorkerHealth = 'alive' | 'late' | 'stopped' | 'lost';

/**
 * One `RedisWorker`, as its heartbeat says; or a worker thread or process of an executor or
 * pool of this program (`id` is then `thread N` or `process PID`).
 */
export interface WorkerFigures {
  /** Its task queue, or its executor's or pool's name. */
  readonly queue: string;
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** How it runs tasks (`thread`, `process`, ...). */
  readonly mode: string;
  readonly concurrency: number;
  readonly health: WorkerHealth;
  /** `running` or `closing`, as the worker last said (in this program: `starting` or `running`). */
  readonly state: string;
  /** Ms since its last heartbeat (`null` in this program: its workers do not beat). */
  readonly heartbeatAgeMs: number | null;
  readonly current: readonly {
    /** The task's id (empty in this program, whose tasks have none). */
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
  /** What it shows: the Redis address (without a password), or `this program (pid N)`. */
  readonly source: string;
  readonly scope: DashboardScope;
  /** Why the last look failed (Redis unreachable), or `null`; the lists then are the last ones seen. */
  readonly error: string | null;
  readonly queues: readonly QueueFigures[];
  readonly executors: readonly ExecutorFigures[];
  readonly workers: readonly WorkerFigures[];
  /** Dead letters (always empty in this program, which keeps none). */
  readonly deadLetters: readonly DeadLetterFigures[];
}

/** Where the dashboard's snapshots come from, and what its re-drive button does. */
export interface SnapshotSource {
  /** What the page names as its source. */
  readonly name: string;
  readonly scope: DashboardScope;
  /** Looks at everything now. */
  take(): Promise<DashboardSnapshot>;
  /** Puts the dead letter `id` of task queue `queue` back; resolves with whether there was one (never, in this program). */
  redrive(queue: string, id: string): Promise<boolean>;
  /** Releases what the source holds. */
  close(): Promise<void>;
}

/** What one look found: the lists of a snapshot. */
export type Found = Pick<DashboardSnapshot, 'queues' | 'executors' | 'workers' | 'deadLetters'>;

/** The snapshot of `source` at `time` whose look found `found` without an error. */
export function snapshotOf(source: SnapshotSource, time: number, found: Found): DashboardSnapshot {
  return { time, source: source.name, scope: source.scope, error: null, ...found };
}
