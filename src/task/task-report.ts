/**
 * The report of task failures nobody retrieved: a warning on a later turn of the event loop
 * (gevent prints a greenlet's death), neither silence nor an unhandled rejection.
 * @module
 */

/** What this module needs of a task. */
interface Reportable {
  readonly name: string;
  readonly failure: unknown;
  stillUnobserved(): boolean;
  markObserved(): void;
}

let dueReports: Reportable[] = [];

/** Reports `task`'s failure on a later turn unless someone retrieves it first. */
export function reportLater(task: Reportable): void {
  if (dueReports.push(task) === 1) setImmediate(reportUnobserved);
}

function reportUnobserved(): void {
  const due = dueReports;
  dueReports = [];
  for (const task of due) {
    if (!task.stillUnobserved()) continue;
    task.markObserved(); // once is enough
    const error = task.failure;
    const warning = new Error(
      `task ${task.name} failed and nobody retrieved its exception (await the task, read ` +
        'task.exception, or join it with joinAll(tasks, { raiseError: true })): ' +
        String(error instanceof Error ? `${error.name}: ${error.message}` : error),
      { cause: error },
    );
    warning.name = 'UnobservedTaskError';
    Object.assign(warning, {
      code: 'WEFT_UNOBSERVED_TASK_ERROR',
      detail: error instanceof Error ? error.stack : undefined,
      task,
    });
    process.emitWarning(warning);
  }
}
