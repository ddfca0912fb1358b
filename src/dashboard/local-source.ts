/**
 * The dashboard's view of this program: the queues, executors and pools made since it
 * started watching (core/live-registry.ts) and still alive, with their workers. Each look
 * asks every one for its figures; the rates come from the counters they keep.
 * @module
 */
import { hostname } from 'node:os';
import {
  LOOK,
  type Lookable,
  liveObjects,
  type PoolLook,
  type QueueLook,
  type WorkerLook,
  watchLive,
} from '../core/live-registry.js';
import { RateWindow } from './rate-window.js';
import {
  type DashboardSnapshot,
  type ExecutorFigures,
  type QueueFigures,
  type SnapshotSource,
  snapshotOf,
  type WorkerFigures,
} from './snapshot.js';

/** What the source keeps of one object between looks. */
interface Seen {
  /** `Queue 3`: its type and its number among the objects of that type seen here. */
  readonly label: string;
  readonly added: RateWindow;
  readonly done: RateWindow;
  readonly failed: RateWindow;
}

/** Snapshots of this program. Registering starts when it is made and stops at `close()`. */
export class LocalSource implements SnapshotSource {
  readonly name = `this program (pid ${process.pid})`;
  readonly scope = 'program';
  readonly #stopWatching = watchLive();
  readonly #seen = new WeakMap<Lookable, Seen>();
  /** How many objects of each type were seen: the number of the next one's label. */
  readonly #numbers = new Map<string, number>();
  readonly #host = hostname();

  async take(): Promise<DashboardSnapshot> {
    const now = Date.now();
    const clock = performance.now();
    const queues: QueueFigures[] = [];
    const executors: ExecutorFigures[] = [];
    const workers: WorkerFigures[] = [];
    const names = new Set<string>();
    for (const object of liveObjects()) {
      const look = object[LOOK]();
      const seen = this.#seenOnce(object, look.type);
      // Rows are told apart by name: a name given twice is followed by its label.
      let name = look.name ?? `${seen.label} (${look.detail})`;
      if (names.has(name)) name = `${name} (${seen.label})`;
      names.add(name);
      if (look.kind === 'queue') queues.push(queueFigures(name, look, seen, now));
      else {
        executors.push(poolFigures(name, look, seen, now));
        for (const worker of look.workers ?? []) {
          workers.push(workerFigures(name, worker, this.#host, clock));
        }
      }
    }
    return snapshotOf(this, now, { queues, executors, workers, deadLetters: [] });
  }

  /** This program keeps no dead letters. */
  async redrive(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {
    this.#stopWatching();
  }

  #seenOnce(object: Lookable, type: string): Seen {
    let seen = this.#seen.get(object);
    if (seen === undefined) {
      const number = (this.#numbers.get(type) ?? 0) + 1;
      this.#numbers.set(type, number);
      seen = {
        label: `${type} ${number}`,
        added: new RateWindow(),
        done: new RateWindow(),
        failed: new RateWindow(),
      };
      this.#seen.set(object, seen);
    }
    return seen;
  }
}

function queueFigures(name: string, look: QueueLook, seen: Seen, now: number): QueueFigures {
  return {
    name,
    waiting: look.waiting,
    inFlight: Math.max(0, look.unfinished - look.waiting),
    donePerSecond: seen.done.add(now, look.got),
    addedPerSecond: seen.added.add(now, look.put),
    oldestAgeMs: null,
    shutDown: look.shutDown,
  };
}

function poolFigures(name: string, look: PoolLook, seen: Seen, now: number): ExecutorFigures {
  return {
    name,
    waiting: look.waiting,
    inFlight: look.running,
    donePerSecond: seen.done.add(now, look.done),
    failedPerSecond: seen.failed.add(now, look.failed),
    addedPerSecond: seen.added.add(now, look.submitted),
    oldestAgeMs: null,
    shutDown: look.shutDown,
    retrying: null,
    dead: null,
    workers: look.workers === null ? null : look.workers.length,
  };
}

function workerFigures(
  pool: string,
  worker: WorkerLook,
  host: string,
  clock: number,
): WorkerFigures {
  const { mode, id, current } = worker;
  return {
    queue: pool,
    id: `${mode} ${id}`,
    host,
    pid: mode === 'process' ? id : process.pid,
    mode,
    concurrency: 1,
    health: 'alive',
    state: worker.state,
    heartbeatAgeMs: null,
    current:
      current === null
        ? []
        : [
            {
              id: '',
              task: current.task,
              runningMs: Math.max(0, Math.round(clock - current.since)),
            },
          ],
    done: worker.done,
    failed: worker.failed,
  };
}
