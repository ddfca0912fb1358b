/**
 * The report of a failure nobody retrieved — a task's, a thread's, a process's: a warning
 * on a later turn of the event loop, unless someone reads the failure first (as gevent
 * prints a greenlet's death and Python's `threading.excepthook` a thread's exception):
 * neither silence nor a crash.
 * @module
 */

/** What may fail unobserved: a task, a thread, a process. */
export interface Observable {
  readonly name: string;
  readonly failure: unknown;
  stillUnobserved(): boolean;
  markObserved(): void;
}

/** How the warning about one kind of subject reads. */
export interface ReportForm<S extends Observable> {
  /** The warning's `name` (`UnobservedTaskError`). */
  readonly warning: string;
  /** The warning's `code` (`WEFT_UNOBSERVED_TASK_ERROR`). */
  readonly code: string;
  /** The field of the warning that holds the subject (`task`, `thread`). */
  readonly field: string;
  /** The message, before the failure itself. */
  message(subject: S): string;
}

let due: [Observable, ReportForm<Observable>][] = [];

/** Reports `subject`'s failure on a later turn unless someone retrieves it first. */
export function reportUnobservedLater<S extends Observable>(subject: S, form: ReportForm<S>): void {
  if (due.push([subject, form as unknown as ReportForm<Observable>]) === 1) {
    setImmediate(reportDue);
  }
}

function reportDue(): void {
  const reports = due;
  due = [];
  for (const [subject, form] of reports) {
    if (!subject.stillUnobserved()) continue;
    subject.markObserved(); // once is enough
    const error = subject.failure;
    const warning = new Error(
      `${form.message(subject)}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      { cause: error },
    );
    warning.name = form.warning;
    Object.assign(warning, {
      code: form.code,
      detail: error instanceof Error ? error.stack : undefined,
      [form.field]: subject,
    });
    process.emitWarning(warning);
  }
}
