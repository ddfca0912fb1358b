/**
 * Command-line flags for the `weft` commands, on node:util's `parseArgs`: every mistake
 * (an unknown option, a missing value, a value given to a switch, a count that is not a
 * count) is a `UsageError` that names the flag and says what to do.
 * @module
 */
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

/** A command's flags, as `parseArgs` takes them. */
export type FlagSpecs = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** What `parseFlags` found: each flag's value by its long name, and the other arguments. */
export interface ParsedFlags {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
}

/**
 * Parses `argv` against `flags` for `command` (e.g. `weft map`); `hint` says where the
 * options are listed. Throws `UsageError` for an unknown option or a wrongly given value.
 */
export function parseFlags(
  command: string,
  argv: readonly string[],
  flags: FlagSpecs,
  hint: string,
): ParsedFlags {
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    options: flags,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = flags[token.name];
    if (spec === undefined) throw new UsageError(command, `unknown option ${token.rawName}`, hint);
    if (spec.type === 'string' && token.value === undefined) {
      throw new UsageError(command, `${token.rawName} needs a value`, hint);
    }
    if (spec.type === 'boolean' && token.value !== undefined) {
      throw new UsageError(command, `${token.rawName} takes no value`, hint);
    }
  }
  return { values, positionals };
}

/**
 * The value of `--flag text` as a whole number in plain digits, at least `min`; a
 * `UsageError` for `command` otherwise, suggesting `--flag example`.
 */
export function wholeNumber(
  command: string,
  flag: string,
  text: string,
  min: number,
  example: number,
): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    const expected = min === 0 ? 'a whole number (0 or more)' : `a whole number >= ${min}`;
    throw new UsageError(
      command,
      `--${flag} must be ${expected}, got '${text}'`,
      `For example: --${flag} ${example}`,
    );
  }
  return value;
}
