/**
 * The side-by-side line at the end of `weft demo dishes`: how fast each mode went on this
 * machine with the same setup (every option but the mode), the last run of each, kept in
 * a small JSON file in the OS temp folder (`weft-demo-dishes.json`, or the file the
 * environment variable `WEFT_DEMO_HISTORY` names). So the demo itself
 * shows when threads or processes pay off: with sleeping dryers they only add their
 * start-up; with `--work cpu` they do more dishes a second.
 * @module
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DishesMode, DishesSummary } from './dishes.js';

/** Where the runs are kept: `$WEFT_DEMO_HISTORY`, or `<os temp dir>/weft-demo-dishes.json`. */
export const HISTORY_FILE =
  process.env.WEFT_DEMO_HISTORY || join(tmpdir(), 'weft-demo-dishes.json');

/** Most setups remembered; the oldest are forgotten first. */
const MAX_SETUPS = 20;

/** Dishes per second of the last run of each mode, by setup. */
type History = Record<string, Partial<Record<DishesMode, number>>>;

/**
 * Records `summary` in the file at `path` and returns the line comparing the modes run
 * with its setup, e.g. `this machine, same setup: tasks 312.4 · threads 590.2 dishes/s
 * (last run of each; not run yet: processes)`. A file that cannot be read or written only
 * loses the history: the line then shows this run alone.
 */
export function recordModeRun(
  summary: DishesSummary,
  modes: readonly DishesMode[],
  path = HISTORY_FILE,
): string {
  // Where Redis is does not change the setup: a redis run sits beside the others.
  const { mode, redis: _where, ...setup } = summary.options;
  const key = JSON.stringify(setup);
  const history = readHistory(path);
  const rate = summary.seconds > 0 ? summary.options.dishes / summary.seconds : 0;
  // Re-inserted, so the key order is oldest first.
  const runs = { ...history[key], [mode]: rate };
  delete history[key];
  history[key] = runs;
  const keys = Object.keys(history);
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_SETUPS))) delete history[old];
  writeHistory(path, history);
  const seen = modes.filter((known) => runs[known] !== undefined);
  const missing = modes.filter((known) => runs[known] === undefined);
  const rates = seen.map((known) => `${known} ${runs[known]!.toFixed(1)}`).join(' · ');
  const rest =
    missing.length > 0 ? `; not run yet: ${missing.map((m) => `--mode ${m}`).join(', ')}` : '';
  return `this machine, same setup: ${rates} dishes/s (last run of each${rest})`;
}

function readHistory(path: string): History {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as History)
      : {};
  } catch {
    return {};
  }
}

/** Written to a fresh file, then renamed: two demos ending at once never leave half a file. */
function writeHistory(path: string, history: History): void {
  const fresh = `${path}.${process.pid}`;
  try {
    writeFileSync(fresh, `${JSON.stringify(history)}\n`);
    renameSync(fresh, path);
  } catch {
    // No history then; the demo itself went well.
  }
}
