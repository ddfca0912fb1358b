/**
 * When tasks start: never synchronously inside `spawn()`, in order, and — for a task that
 * takes the pool slot another task just gave up — right away, without growing the stack.
 * @module
 */
import { RESOLVED_VOID } from '../core/waiter.js';

/** What this module needs of a task. */
interface Startable {
  begin(): void;
}

/** Tasks to start on the next microtask. */
let scheduled: Startable[] = [];
/** Tasks to start as soon as the ones starting now have started. */
let startingNow: Startable[] = [];
/** Whether tasks are being started further up the stack. */
let starting = false;
/** Whether a task's outcome is being delivered (from a promise reaction, never from user code). */
let completing = false;

function startScheduled(): void {
  const batch = scheduled;
  scheduled = [];
  startTasks(batch, undefined);
}

/** Starts `batch` and `first`, then every task `startNow()` queued meanwhile, without recursion. */
function startTasks(batch: Startable[] | undefined, first: Startable | undefined): void {
  starting = true;
  try {
    if (batch !== undefined) for (const task of batch) task.begin();
    first?.begin();
    while (startingNow.length > 0) {
      const more = startingNow;
      startingNow = [];
      for (const task of more) task.begin();
    }
  } finally {
    starting = false;
  }
}

/** Starts `task` on the next microtask, together with the others scheduled in this synchronous run. */
export function scheduleStart(task: Startable): void {
  if (scheduled.push(task) === 1) RESOLVED_VOID.then(startScheduled);
}

/**
 * Starts `task` now when that is safe — while another task's outcome is being delivered —
 * else like `scheduleStart`. Tasks started this way while others are being started run right
 * after them, so a chain of tasks that end synchronously never grows the stack.
 */
export function startNow(task: Startable): void {
  if (starting) startingNow.push(task);
  else if (completing) startTasks(undefined, task);
  else scheduleStart(task);
}

/**
 * Marks that a task's outcome is being delivered from a promise reaction (what it starts may
 * start at once); returns what `leaveCompleting` restores.
 */
export function enterCompleting(): boolean {
  const outer = completing;
  completing = true;
  return outer;
}

export function leaveCompleting(outer: boolean): void {
  completing = outer;
}
