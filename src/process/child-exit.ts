/**
 * How a weft child process ends once its target is done, its outcome sent and its
 * non-daemon children joined (process-entry.ts).
 *
 * First what it wrote to stdout and stderr is flushed: a write Node still queues (a pipe
 * that its reader empties slowly) would be lost by `process.exit()`. Python's child
 * flushes `sys.stdout` and `sys.stderr` the same way before it ends.
 *
 * Then it ends, fast when nothing can be lost by it. `process.exit()` runs the `'exit'`
 * handlers, then tears Node down in C++ — it joins the V8 platform's and libuv's idle
 * threads, runs the C library's exit handlers and destructors (OpenSSL's cleanup, the
 * option parsers) — about 2 ms that end nothing the target or weft owns, before the
 * kernel frees the process. Python's forked child skips the like with `os._exit()` after
 * flushing. Here, when only harmless handles are open (no file, DNS or stream request in
 * flight, no worker thread) and no V8 log, trace or inspector is on, the child tells its
 * parent the code it ends with, runs the `'exit'` handlers itself as `process.exit()`
 * does, and ends with `process.kill(process.pid, 'SIGKILL')` — which first runs Node's
 * at-exit hooks, so a `--cpu-prof` or `--heap-prof` profile and `NODE_V8_COVERAGE` coverage
 * are still written. The parent reports the announced code (process.ts). A handler that
 * sets `process.exitCode`, calls `process.exit()` or throws, and any other case, ends
 * through `process.exit()`, as before.
 * @module
 */
import type { ExitingMessage } from './protocol.js';

/**
 * Resources that end with the process and owe nothing: handles (the IPC channel, stdio,
 * sockets and servers with no write in flight, timers, signal listeners, child processes),
 * and a close already under way. A request of any other kind (a file operation, a write, a
 * DNS query, a zlib or crypto job) still runs: the child then ends through `process.exit()`.
 */
const HARMLESS = new Set([
  'PipeWrap',
  'PipeServerWrap',
  'TTYWrap',
  'TCPWrap',
  'TCPServerWrap',
  'UDPWrap',
  'Timeout',
  'Immediate',
  'SignalWrap',
  'ProcessWrap',
  'CloseReq',
]);

/**
 * Flags that make Node write something in its teardown (the V8 log, traces, the exit's
 * stack) or let a debugger watch the process; profiles and coverage are written by the
 * at-exit hooks, which a self-kill runs too.
 */
const WRITES_AT_EXIT = /(^|\s)--(prof|trace-event|trace-exit|inspect|perf-|redirect-warnings)/;

/** Resource kinds that mean a write to a stream is still queued. */
const QUEUED_WRITES = new Set(['WriteWrap', 'SimpleWriteWrap', 'ShutdownWrap']);

/** Ends this child with `code`, after flushing stdout and stderr. */
export async function endChild(code: number, label: () => string): Promise<never> {
  if (process.getActiveResourcesInfo().some((kind) => QUEUED_WRITES.has(kind))) {
    await Promise.all([flush(process.stdout), flush(process.stderr)]);
  }
  // Checked again once the announcement is out: the event loop turned meanwhile.
  const fast = canEndFast() && (await announce(code)) && canEndFast();
  if (!fast) runExitHandlers(() => process.exit(code), label);
  // As process.exit() does: the code the handlers see, and no second 'exit' if one exits.
  process.exitCode = code;
  (process as { _exiting?: boolean })._exiting = true;
  runExitHandlers(() => process.emit('exit', code), label);
  const exitCode = process.exitCode;
  if (typeof exitCode === 'number' && (exitCode & 0xff) === code) {
    process.kill(process.pid, 'SIGKILL');
  }
  // A handler changed the code: end as process.exit() does ('exit' was emitted already).
  return process.exit();
}

/**
 * Runs `exit`, which runs the 'exit' handlers: one that throws is reported and the child
 * ends with 1 (it would otherwise stay alive, its exit abandoned half-way).
 */
function runExitHandlers(exit: () => void, label: () => string): void {
  try {
    exit();
  } catch (error) {
    console.error(`Exception in ${label()} in an 'exit' handler:`, error);
    process.exit(1);
  }
}

/** Whether ending with SIGKILL loses nothing that `process.exit()` would have kept. */
export function canEndFast(
  resources: readonly string[] = process.getActiveResourcesInfo(),
  flags = OWN_FLAGS,
): boolean {
  return resources.every((kind) => HARMLESS.has(kind)) && !WRITES_AT_EXIT.test(flags);
}

/** This process's Node flags, fixed at its start (a later change of NODE_OPTIONS is not its own). */
const OWN_FLAGS = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;

/** Tells the parent the code this child ends with; resolves `false` if it could not. */
function announce(code: number): Promise<boolean> {
  const message: ExitingMessage = { $weftProcess: 'exiting', code };
  return new Promise((resolve) => {
    try {
      process.send!(message, undefined, {}, (error) => resolve(error === null));
    } catch {
      resolve(false);
    }
  });
}

/** Resolves once `stream` has written out what was queued before (at once if it cannot). */
function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    // Writes go out in order: the callback of an empty one runs once those before are out.
    stream.write('', () => resolve());
  });
}
