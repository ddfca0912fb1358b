// The fuzz run's flood from a child process (test/fixtures/net-flood-clients.ts), so that
// thousands of flooding clients take that process's event loop and not the one of the
// server and the well-behaved clients under test. The child is killed whenever the flood
// does not end with its report: no orphan, no hang.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FloodReport } from '../fixtures/net-flood-clients.js';

const CLIENTS = fileURLToPath(new URL('../fixtures/net-flood-clients.ts', import.meta.url));

/**
 * Opens `count` connections at once to 127.0.0.1:`port` from a child process, each sending
 * one line and reading its echo; resolves with the child's report. Rejects when the child
 * fails, exits without a report, or has not reported within `timeout` ms; the child is
 * killed then, and is gone once this settles either way.
 */
export async function floodFromChild(
  port: number,
  count: number,
  timeout: number,
): Promise<FloodReport> {
  const child = fork(CLIENTS, [String(port), String(count), String(timeout)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<FloodReport>((resolve, reject) => {
      child.once('message', (report) => resolve(report as FloodReport));
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(new Error(`the flood process exited (${signal ?? code}) without its report`)),
      );
      timer = setTimeout(
        () => reject(new Error(`the flood process did not report within ${timeout} ms`)),
        timeout,
      );
    });
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (child.pid !== undefined) await exited; // a child that never started never exits
  }
}
