// Collects the process warnings weft emits with one code (an unread thread or process
// exception, ...) while a test body runs.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** The warnings with `code` emitted while `body` runs, and in a few turns after it. */
export async function warningsDuring(code: string, body: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const listener = (warning: Error): void => {
    if ((warning as { code?: string }).code === code) seen.push(warning);
  };
  process.on('warning', listener);
  try {
    await body();
    for (let i = 0; i < 5; i++) await nextTurn();
  } finally {
    process.off('warning', listener);
  }
  return seen;
}
