/**
 * Lock acquire+release (`await lock.acquire(); lock.release()`), uncontended and with
 * contending tasks, against async-sema, async-mutex, Python's asyncio.Lock and a minimal
 * FIFO lock (the floor). Aim: weft at least 1.3x async-sema in both patterns (async-sema is
 * the fastest JS peer; the project sets the aim for its task-scope Lock).
 *
 * Every contender is checked: each timed run counts the critical sections it entered (exactly
 * `ops`), and before the warm-up an untimed run whose critical sections span awaits checks
 * that no two holders are ever inside at once.
 * @module
 */
import { Mutex, Semaphore } from 'async-mutex';
import { Sema } from 'async-sema';
import { joinAll, Lock, spawn, type Task } from 'weft';
import {
  type Contender,
  freshRow,
  makeTable,
  measure,
  pythonRow,
  runFresh,
  runPython,
  type Settings,
  type Table,
} from './harness.js';
import { MinimalLock } from './peers/minimal-lock.js';

const WEFT = 'weft Lock';
const SEMA = 'async-sema Sema(1)';
const MUTEX = 'async-mutex Mutex';
const SEMAPHORE = 'async-mutex Semaphore(1)';
const FLOOR = 'minimal FIFO lock (floor)';

// Each contender's loop is written out on its own on purpose: closures made from one
// shared function share V8's type feedback, so a generic loop would make every contender
// pay for the polymorphism of all of them.

/** Critical sections entered during one run; a run must enter exactly as many as it has ops. */
interface Tally {
  entries: number;
}

async function weftLoop(lock: Lock, ops: number, tally: Tally): Promise<void> {
  for (let i = 0; i < ops; i++) {
    await lock.acquire();
    tally.entries++;
    lock.release();
  }
}

async function semaLoop(sema: Sema, ops: number, tally: Tally): Promise<void> {
  for (let i = 0; i < ops; i++) {
    await sema.acquire();
    tally.entries++;
    sema.release();
  }
}

async function mutexLoop(mutex: Mutex, ops: number, tally: Tally): Promise<void> {
  for (let i = 0; i < ops; i++) {
    const release = await mutex.acquire();
    tally.entries++;
    release();
  }
}

async function semaphoreLoop(semaphore: Semaphore, ops: number, tally: Tally): Promise<void> {
  for (let i = 0; i < ops; i++) {
    const [, release] = await semaphore.acquire();
    tally.entries++;
    release();
  }
}

async function minimalLoop(lock: MinimalLock, ops: number, tally: Tally): Promise<void> {
  for (let i = 0; i < ops; i++) {
    await lock.acquire();
    tally.entries++;
    lock.release();
  }
}

/**
 * Runs `loop` (one task, or `tasks` at once, each its own async call chain — or, `inTasks`,
 * each a spawned weft task, as a weft program runs them) and checks the tally.
 */
async function counted(
  name: string,
  ops: number,
  tasks: number,
  loop: (tally: Tally) => Promise<void>,
  inTasks = false,
): Promise<void> {
  const tally: Tally = { entries: 0 };
  if (tasks === 1) await loop(tally);
  else if (inTasks) {
    const running: Task<void>[] = [];
    for (let t = 0; t < tasks; t++) running.push(spawn(loop, tally));
    await joinAll(running, { raiseError: true });
  } else {
    const running: Promise<void>[] = [];
    for (let t = 0; t < tasks; t++) running.push(loop(tally));
    await Promise.all(running);
  }
  if (tally.entries !== ops)
    throw new Error(`${name}: ${tally.entries} critical sections entered, expected ${ops}`);
}

/** Takes a lock and gives back its release, whatever the contender's API. */
type TakeLock = () => Promise<() => void>;

/**
 * The untimed check: `tasks` loops whose critical sections span two awaits, so a lock that
 * let a second holder in would be caught inside; every section must be entered, one at a time.
 */
async function checkExclusion(name: string, take: TakeLock, tasks = 20, each = 50): Promise<void> {
  let inside = 0;
  let entries = 0;
  const loop = async (): Promise<void> => {
    for (let i = 0; i < each; i++) {
      const release = await take();
      if (++inside !== 1) throw new Error(`${name}: ${inside} holders inside the lock at once`);
      entries++;
      await null;
      await null;
      inside--;
      release();
    }
  };
  const running: Promise<void>[] = [];
  for (let t = 0; t < tasks; t++) running.push(loop());
  await Promise.all(running);
  if (entries !== tasks * each)
    throw new Error(`${name}: ${entries} critical sections entered, expected ${tasks * each}`);
}

/** Each contender's `check`: how to take its lock, for `checkExclusion`. */
const takers: Record<string, () => TakeLock> = {
  [WEFT]: () => {
    const lock = new Lock();
    const release = (): void => lock.release();
    return () => lock.acquire().then(() => release);
  },
  [SEMA]: () => {
    const sema = new Sema(1);
    const release = (): void => sema.release();
    return () => sema.acquire().then(() => release);
  },
  [MUTEX]: () => {
    const mutex = new Mutex();
    return () => mutex.acquire();
  },
  [SEMAPHORE]: () => {
    const semaphore = new Semaphore(1);
    return async () => (await semaphore.acquire())[1];
  },
  [FLOOR]: () => {
    const lock = new MinimalLock();
    const release = (): void => lock.release();
    return () => lock.acquire().then(() => release);
  },
};

/** Adds each contender's untimed exclusion check. */
function checked(contenders: Contender[]): Contender[] {
  return contenders.map((contender) => {
    const taker = takers[contender.name]!;
    return { ...contender, check: () => checkExclusion(contender.name, taker()) };
  });
}

function uncontended(ops: number): Contender[] {
  return checked([
    { name: WEFT, run: () => counted(WEFT, ops, 1, (t) => weftLoop(new Lock(), ops, t)) },
    { name: SEMA, run: () => counted(SEMA, ops, 1, (t) => semaLoop(new Sema(1), ops, t)) },
    { name: MUTEX, run: () => counted(MUTEX, ops, 1, (t) => mutexLoop(new Mutex(), ops, t)) },
    {
      name: SEMAPHORE,
      run: () => counted(SEMAPHORE, ops, 1, (t) => semaphoreLoop(new Semaphore(1), ops, t)),
    },
    {
      name: FLOOR,
      run: () => counted(FLOOR, ops, 1, (t) => minimalLoop(new MinimalLock(), ops, t)),
    },
  ]);
}

function contended(ops: number, tasks: number, inTasks = false): Contender[] {
  const each = ops / tasks;
  return checked([
    {
      name: WEFT,
      run: () => {
        const lock = new Lock();
        return counted(WEFT, ops, tasks, (t) => weftLoop(lock, each, t), inTasks);
      },
    },
    {
      name: SEMA,
      run: () => {
        const sema = new Sema(1);
        return counted(SEMA, ops, tasks, (t) => semaLoop(sema, each, t), inTasks);
      },
    },
    {
      name: MUTEX,
      run: () => {
        const mutex = new Mutex();
        return counted(MUTEX, ops, tasks, (t) => mutexLoop(mutex, each, t), inTasks);
      },
    },
    {
      name: SEMAPHORE,
      run: () => {
        const semaphore = new Semaphore(1);
        return counted(SEMAPHORE, ops, tasks, (t) => semaphoreLoop(semaphore, each, t), inTasks);
      },
    },
    {
      name: FLOOR,
      run: () => {
        const lock = new MinimalLock();
        return counted(FLOOR, ops, tasks, (t) => minimalLoop(lock, each, t), inTasks);
      },
    },
  ]);
}

/**
 * The contended pattern with every contender's loops run as spawned weft tasks (how a weft
 * program runs concurrent work): measured by `bench/fresh.ts` in a process of its own, since
 * the first weft task turns on the AsyncLocalStorage promise hook for the whole process.
 * async-mutex is left out (it is an order of magnitude behind, and would take most of the time).
 */
export function contendedInTasks(ops: number, tasks: number): Contender[] {
  return contended(ops, tasks, true).filter((c) => c.name !== MUTEX && c.name !== SEMAPHORE);
}

export async function lockSuites(settings: Settings): Promise<Table[]> {
  const { lockOps: ops, lockTasks: tasks } = settings;
  if (ops % tasks !== 0) throw new RangeError('lock ops must divide evenly among the tasks');

  settings.log(`Lock: asyncio.Lock (python3 subprocess, ${ops} ops, ${settings.rounds} rounds)`);
  const python = runPython('asyncio_lock.py', [ops, tasks, settings.rounds]);

  settings.log(`Lock uncontended: ${ops} acquire+release`);
  const alone = await measure(uncontended(ops), ops, settings);
  settings.log(`Lock contended: ${tasks} tasks, ${ops} acquire+release in total`);
  const crowd = await measure(contended(ops, tasks), ops, settings);
  settings.log(`Lock contended inside weft tasks: fresh process, ${tasks} spawned tasks`);
  const inTasks = runFresh('lock-in-tasks', settings);
  const inTaskRows = [WEFT, SEMA, FLOOR].map((name) => freshRow(inTasks, name, name));

  const targets = [{ subject: WEFT, reference: SEMA, atLeast: 1.3 }];
  return [
    makeTable({
      title: `Lock acquire+release, uncontended (1 task, ${ops.toLocaleString('en')} ops)`,
      unit: 'ops/s',
      ops,
      references: [SEMA],
      rows: [...alone, pythonRow('Python asyncio.Lock', python, 'uncontended')],
      targets,
    }),
    makeTable({
      title: `Lock acquire+release, ${tasks} contending tasks (${ops.toLocaleString('en')} ops in total)`,
      unit: 'ops/s',
      ops,
      references: [SEMA],
      rows: [
        ...crowd,
        pythonRow('Python asyncio.Lock, same code', python, 'contended'),
        pythonRow('Python asyncio.Lock, held across sleep(0)', python, 'contended_held'),
      ],
      targets,
      notes: [
        'async-mutex is used the documented way: `const release = await m.acquire(); release()`.',
        'Checks: every timed run counts its critical sections (exactly the ops); before the ' +
          'warm-up, 20 tasks x 50 sections that each span two awaits check that no two ' +
          'holders are ever inside at once (untimed), for every contender.',
        'Python "same code" never contends: an asyncio acquire of a free lock does not suspend, ' +
          'so each task runs all its loops before the next starts. "held across sleep(0)" makes ' +
          'tasks really hand the lock on (as every JS `await` yields) and pays one event-loop ' +
          'turn per op for it.',
      ],
    }),
    makeTable({
      title: `Lock acquire+release, ${tasks} contending weft tasks (spawned; ${ops.toLocaleString('en')} ops in total)`,
      unit: 'ops/s',
      ops,
      references: [SEMA],
      rows: inTaskRows,
      targets,
      notes: [
        'The same loops as the table above, each started with `spawn()` and joined with ' +
          '`joinAll`, in a fresh process of their own (bench/fresh.ts): inside a task every weft ' +
          'wait also observes the task being killed, and the AsyncLocalStorage promise hook ' +
          "that tasks need slows every promise of the process, the peers' included.",
      ],
    }),
  ];
}
