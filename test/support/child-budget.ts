// How long a child program may run before a test counts it as hung: a generous multiple of
// what starting one costs on this machine now (node with tsx, importing weft; measured once
// per test file, so a busy machine gets a longer limit), and never less than a floor.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let measured: Promise<number> | undefined;

/** What starting a child that loads tsx and weft took here, in ms (measured on first use). */
export function childStartMs(): Promise<number> {
  measured ??= new Promise<number>((resolve, reject) => {
    const started = performance.now();
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', "await import('weft');"],
      { cwd: ROOT },
      (error) => (error ? reject(error) : resolve(performance.now() - started)),
    );
  });
  return measured;
}

/** `factor` times the measured start of a child, and at least `floorMs`. */
export async function childLimit(floorMs: number, factor = 40): Promise<number> {
  return Math.max(floorMs, Math.ceil(factor * (await childStartMs())));
}

/** The variable that hands a test's `childLimit` to the children it starts (see `CHILD_WAIT_MS`). */
const WAIT_VARIABLE = 'WEFT_TEST_WAIT_MS';

/**
 * `childLimit(floorMs)`, also handed to the children this process starts from now on, whose
 * own waits for their parent (`CHILD_WAIT_MS`) then scale the same way.
 */
export async function shareChildLimit(floorMs: number): Promise<number> {
  const ms = await childLimit(floorMs);
  process.env[WAIT_VARIABLE] = String(ms);
  return ms;
}

/** In a child: how long to wait for its parent, as the test measured it (`shareChildLimit`), else 10 s. */
export const CHILD_WAIT_MS = Number(process.env[WAIT_VARIABLE]) || 10_000;

/** A test's own bound when its child is limited by `childLimit`: far beyond it, only a last guard. */
export const CHILD_TEST = { timeout: 900_000 } as const;
