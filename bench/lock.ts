/**
 * Lock acquire+release (`await lock.acquire(); lock.release()`), uncontended and with
 * contending tasks, against async-sema, async-mutex, Python's asyncio.Lock and a minimal
 * FIFO lock (the floor). DESIGN.md target: weft at least 1.3x async-sema in both patterns.
 * @module
 */
import { Mutex, Semaphore } from 'async-mutex';
import { Sema } from 'async-sema';
import { Lock } from 'weft';
import {
  type Contender,
  makeTable,
  measure,
  pythonRow,
  runPython,
  type Settings,
  type Table,
} from './harness.js';
import { MinimalLock } from './peers/minimal-lock.js';

const WEFT = 'weft Lock';
const SEMA = 'async-sema Sema(1)';

// Each contender's loop is written out on its own on purpose: closures made from one
// shared function share V8's type feedback, so a generic loop would make every contender
// pay for the polymorphism of all of them.

async function weftLoop(lock: Lock, ops: number): Promise<void> {
  for (let i = 0; i < ops; i++) {
    await lock.acquire();
    lock.release();
  }
}

async function semaLoop(sema: Sema, ops: number): Promise<void> {
  for (let i = 0; i < ops; i++) {
    await sema.acquire();
    sema.release();
  }
}

async function mutexLoop(mutex: Mutex, ops: number): Promise<void> {
  for (let i = 0; i < ops; i++) {
    const release = await mutex.acquire();
    release();
  }
}

async function semaphoreLoop(semaphore: Semaphore, ops: number): Promise<void> {
  for (let i = 0; i < ops; i++) {
    const [, release] = await semaphore.acquire();
    release();
  }
}

async function minimalLoop(lock: MinimalLock, ops: number): Promise<void> {
  for (let i = 0; i < ops; i++) {
    await lock.acquire();
    lock.release();
  }
}

/** Starts `tasks` loops at once (each its own async call chain) and waits for all. */
async function contend(tasks: number, loop: () => Promise<void>): Promise<void> {
  const running: Promise<void>[] = [];
  for (let t = 0; t < tasks; t++) running.push(loop());
  await Promise.all(running);
}

function uncontended(ops: number): Contender[] {
  return [
    { name: WEFT, run: () => weftLoop(new Lock(), ops) },
    { name: SEMA, run: () => semaLoop(new Sema(1), ops) },
    { name: 'async-mutex Mutex', run: () => mutexLoop(new Mutex(), ops) },
    { name: 'async-mutex Semaphore(1)', run: () => semaphoreLoop(new Semaphore(1), ops) },
    { name: 'minimal FIFO lock (floor)', run: () => minimalLoop(new MinimalLock(), ops) },
  ];
}

function contended(ops: number, tasks: number): Contender[] {
  const each = ops / tasks;
  return [
    {
      name: WEFT,
      run: () => {
        const lock = new Lock();
        return contend(tasks, () => weftLoop(lock, each));
      },
    },
    {
      name: SEMA,
      run: () => {
        const sema = new Sema(1);
        return contend(tasks, () => semaLoop(sema, each));
      },
    },
    {
      name: 'async-mutex Mutex',
      run: () => {
        const mutex = new Mutex();
        return contend(tasks, () => mutexLoop(mutex, each));
      },
    },
    {
      name: 'async-mutex Semaphore(1)',
      run: () => {
        const semaphore = new Semaphore(1);
        return contend(tasks, () => semaphoreLoop(semaphore, each));
      },
    },
    {
      name: 'minimal FIFO lock (floor)',
      run: () => {
        const lock = new MinimalLock();
        return contend(tasks, () => minimalLoop(lock, each));
      },
    },
  ];
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
        'Python "same code" never contends: an asyncio acquire of a free lock does not suspend, ' +
          'so each task runs all its loops before the next starts. "held across sleep(0)" makes ' +
          'tasks really hand the lock on (as every JS `await` yields) and pays one event-loop ' +
          'turn per op for it.',
      ],
    }),
  ];
}
