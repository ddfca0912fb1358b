/**
 * Preloaded (`node --import`) by `weft dashboard --local -- SCRIPT`: serves the dashboard of
 * the program before its first line runs, on the port `WEFT_DASHBOARD_PORT` names (and the
 * address `WEFT_DASHBOARD_HOST`), and prints the page's address on stderr. It takes both
 * variables out of the environment, so the program's own child processes and threads, which
 * inherit the preload, serve nothing.
 * @module
 */
import { isMainThread } from 'node:worker_threads';

const port = process.env.WEFT_DASHBOARD_PORT;
const host = process.env.WEFT_DASHBOARD_HOST;
delete process.env.WEFT_DASHBOARD_PORT;
delete process.env.WEFT_DASHBOARD_HOST;

if (port !== undefined && isMainThread) {
  const { serveDashboard } = await import('./serve-dashboard.js');
  try {
    const dashboard = await serveDashboard({ port: Number(port), host: host || undefined });
    process.stderr.write(`weft dashboard: ${dashboard.url}  (this program, pid ${process.pid})\n`);
  } catch (error) {
    const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    const why = taken ? `port ${port} is in use; choose another with --port` : String(error);
    process.stderr.write(`weft dashboard: ${why}\n`);
    process.exit(1);
  }
}
