/**
 * `weft dashboard --local -- SCRIPT [ARGS…]`: runs `node SCRIPT ARGS…` with the dashboard
 * preloaded into it (dashboard/local-preload.ts), its standard streams this command's, and
 * ends as it ends: with its exit code, or killed by its signal. SIGINT, SIGTERM and SIGHUP
 * sent to this command are passed on to it.
 * @module
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import { childFlags } from '../process/child-flags.js';

/** The preload: .ts when weft runs from its sources (under tsx), .js from dist/. */
const PRELOAD = new URL(
  import.meta.url.endsWith('.ts')
    ? '../dashboard/local-preload.ts'
    : '../dashboard/local-preload.js',
  import.meta.url,
);

const PASSED_ON = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `program` (a script and its arguments) under Node with its dashboard on `port` and
 * `host`; resolves with its exit code, or, when a signal killed it, kills this process with
 * the same signal. The flags this process runs with go to it too (`--import tsx`, say).
 */
export async function runWithLocalDashboard(
  program: readonly string[],
  port: number,
  host: string | undefined,
): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, WEFT_DASHBOARD_PORT: String(port) };
  if (host !== undefined) env.WEFT_DASHBOARD_HOST = host;
  const child = spawn(process.execPath, [...childFlags(), '--import', PRELOAD.href, ...program], {
    stdio: 'inherit',
    env,
  });
  const passOn = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of PASSED_ON) process.on(signal, passOn);
  try {
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    if (signal === null) return code ?? 1;
    // Ended as it ended: the same signal, which this process has no listener for any more.
    for (const passed of PASSED_ON) process.off(passed, passOn);
    process.kill(process.pid, signal);
    // A signal Node ignores (SIGPIPE) leaves it running: then the shell's code for it.
    return 128 + (constants.signals[signal] ?? 0);
  } finally {
    for (const signal of PASSED_ON) process.off(signal, passOn);
  }
}
