/**
 * One chunk of `weft map`'s work, wherever it runs: parse each line's JSON, call the
 * function on it, write the result as JSON — all of it where the function runs, so the
 * main thread only moves text. In threads and processes mode `mapChunk` is the portable
 * function the executor runs (it loads the user's export there); in tasks mode the main
 * thread calls `mapChunkWith` with the function itself. This module is loaded by every
 * worker: it imports only what finding a target needs.
 * @module
 */
import { loadTarget } from '../portable/load.js';
import { portable } from '../portable/portable.js';

/** Lines of the input, as the map reads them: their numbers (from 1) and their text. */
export interface LineChunk {
  readonly numbers: number[];
  readonly lines: string[];
}

/** A line that failed: its number, the error's name and its message (one line). */
export type LineFailure = readonly [line: number, name: string, message: string];

/** What a chunk gave: its output text (whole lines), its failures, and how long its calls took. */
export interface ChunkOutcome {
  /** Ordered: one line per input line (`null` for a failed one). Unordered: a `{"line":N,"result":R}` record per line that succeeded. */
  readonly text: string;
  readonly failures: LineFailure[];
  /** How many lines it held. */
  readonly lines: number;
  /** Ms spent on the chunk where it ran, to size the next chunks by. */
  readonly ms: number;
}

/**
 * Runs `fn` on every line of `chunk`, one at a time (awaiting a promise it returns), and
 * writes the outcome: a line whose JSON does not parse, whose call throws or whose result
 * is not JSON (a BigInt, a cycle) is a failure of that line only.
 */
export async function mapChunkWith(
  fn: (value: unknown) => unknown,
  ordered: boolean,
  chunk: LineChunk,
): Promise<ChunkOutcome> {
  const outcome = new OutcomeWriter(ordered);
  const { numbers, lines } = chunk;
  for (let i = 0; i < lines.length; i++) {
    try {
      let result = fn(JSON.parse(lines[i]!));
      if (isThenable(result)) result = await result;
      outcome.result(numbers[i]!, result);
    } catch (err) {
      outcome.failure(numbers[i]!, err);
    }
  }
  return outcome.finish(lines.length);
}

/** Writes a chunk's outcome line by line, in the order its lines are given. */
export class OutcomeWriter {
  readonly #startedAt = performance.now();
  readonly #failures: LineFailure[] = [];
  #text = '';

  constructor(private readonly ordered: boolean) {}

  /** Line `line` gave `result`; throws when the result has no JSON (a BigInt, a cycle). */
  result(line: number, result: unknown): void {
    // `undefined` (and a bare function or symbol) has no JSON: written as null.
    const json = JSON.stringify(result) ?? 'null';
    this.#text += this.ordered ? `${json}\n` : `{"line":${line},"result":${json}}\n`;
  }

  /** Line `line` failed with `err`. */
  failure(line: number, err: unknown): void {
    this.#failures.push(failureOf(line, err));
    if (this.ordered) this.#text += 'null\n';
  }

  /** The outcome of a chunk of `lines` lines. */
  finish(lines: number): ChunkOutcome {
    return {
      text: this.#text,
      failures: this.#failures,
      lines,
      ms: performance.now() - this.#startedAt,
    };
  }
}

/**
 * `mapChunkWith` for a worker: finds the function `name` exported by `module` (imported
 * once per worker) and runs the chunk there.
 */
export const mapChunk = portable(
  import.meta.url,
  async function mapChunk(
    module: string,
    name: string,
    ordered: boolean,
    numbers: number[],
    lines: string[],
  ): Promise<ChunkOutcome> {
    const fn = await loadTarget({ module, name });
    return mapChunkWith(fn, ordered, { numbers, lines });
  },
);

/** How a line's error is reported: its name and its message on one line. */
export function failureOf(line: number, err: unknown): LineFailure {
  if (err instanceof Error) return [line, err.name, oneLine(err.message)];
  return [line, 'thrown value', oneLine(safeString(err))];
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
