/**
 * The report of a thread's exception that nobody read: Python prints every thread's
 * exception (`threading.excepthook`); weft keeps it in `thread.exception` and warns on a
 * later turn of the event loop only if nobody looked — neither silence nor a crash.
 * @module
 */

/** What this module needs of a thread (or a process: the same report, named for it). */
interface Reportable {
  readonly name: string;
  /** What it is called in the report (a thread when not given). */
  readonly reportAs?: 'thread' | 'process';
  readonly failure: unknown;
  stillUnobserved(): boolean;
  markObserved(): void;
}

let due: Reportable[] = [];

/** Reports `thread`'s exception on a later turn unless someone reads it first. */
export function reportThreadLater(thread: Reportable): void {
  if (due.push(thread) === 1) setImmediate(reportUnread);
}

function reportUnread(): void {
  const threads = due;
  due = [];
  for (const thread of threads) {
    if (!thread.stillUnobserved()) continue;
    thread.markObserved(); // once is enough
    const error = thread.failure;
    const what = thread.reportAs ?? 'thread';
    const warning = new Error(
      `Exception in ${what} ${thread.name}, and nobody read it (join the ${what}, then read ` +
        `${what}.exception): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      { cause: error },
    );
    warning.name = what === 'thread' ? 'UnobservedThreadError' : 'UnobservedProcessError';
    Object.assign(warning, {
      code: what === 'thread' ? 'WEFT_UNOBSERVED_THREAD_ERROR' : 'WEFT_UNOBSERVED_PROCESS_ERROR',
      detail: error instanceof Error ? error.stack : undefined,
      thread,
    });
    process.emitWarning(warning);
  }
}
