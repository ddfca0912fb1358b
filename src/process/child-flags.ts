/**
 * The Node flags a weft child process inherits: the parent's, without those that name
 * what to run. A program run as `node -e '…'` (or `-p`, `--input-type=module -e`) would
 * otherwise hand its script to every child, which would run it instead of weft's entry —
 * and start a child of its own, and so on.
 * @module
 */

/** Flags that take the code to run as their value (`-e CODE`, `--eval=CODE`). */
const WITH_CODE = new Set(['-e', '--eval', '-p', '--print', '-pe']);
/** Flags about the main script alone, dropped with their value (`--input-type=module`). */
const ABOUT_MAIN = new Set(['--input-type']);
/** Flags without a value that make Node run something other than a script. */
const MODES = new Set(['-i', '--interactive', '-c', '--check', '--test', '--watch']);

/** `execArgv` (default: this process's) without the flags that say what to run. */
export function childFlags(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const name = arg.startsWith('--') && arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (WITH_CODE.has(name) || ABOUT_MAIN.has(name)) {
      if (name === arg) i++; // its value was the next argument
      continue;
    }
    if (MODES.has(name)) continue;
    kept.push(arg);
  }
  return kept;
}
