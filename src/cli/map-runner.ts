/**
 * The run of `weft map`: takes chunks of lines from the input, hands each to the scope (a
 * bounded number ahead), writes the results — in input order, or as they come — reports
 * failed lines on stderr, and stops cleanly on Ctrl-C.
 *
 * Chunks start at one line and double while a chunk takes less than a few milliseconds
 * where it runs, so slow calls are spread one by one over the workers and trivial ones
 * travel by the thousand. A chunk whose worker died is run again line by line, so the one
 * line that killed it fails alone. On the first SIGINT no new line is started, the chunks
 * under way finish and are written, and the run exits with 130; a second SIGINT exits at
 * once (only whole lines were written). Chunks lost after a SIGINT (a terminal's Ctrl-C
 * reaches child processes too) are not written: `--resume` does them.
 * @module
 */
import type { LineInput } from './line-input.js';
import type { LineOutput } from './line-output.js';
import type { ChunkOutcome, LineChunk, LineFailure } from './map-chunk.js';
import { failureOf } from './map-chunk.js';
import type { MapScope } from './map-scope.js';
import type { ProgressBar } from './progress-bar.js';

/** What a run is given. */
export interface MapRunParts {
  readonly input: LineInput;
  readonly output: LineOutput;
  readonly scope: MapScope;
  readonly ordered: boolean;
  /** Where a failed line is reported (`line N: Name: message`). */
  readonly report: (line: string) => void;
  readonly progress?: ProgressBar | undefined;
}

/** How a run ended: its exit code and how many lines succeeded and failed. */
export interface MapRunResult {
  readonly code: 0 | 1 | 130;
  readonly done: number;
  readonly failed: number;
}

/** Time a chunk should take where it runs, in ms: long enough to hide the cost of sending it. */
const CHUNK_TARGET_MS = 8;
const MAX_CHUNK_LINES = 4096;

/** A chunk that was lost after a SIGINT: neither written nor reported, left for `--resume`. */
const LOST = Symbol('lost');

/** One run of the map; `run()` once. */
export class MapRunner {
  /** Lines worked this run (succeeded or failed). */
  done = 0;
  private failed = 0;
  private stopping = false;
  private chunkSize = 1;
  private inFlight = 0;
  private wake: (() => void) | null = null;
  private nextChunk = 0;
  private nextToWrite = 0;
  private readonly finished = new Map<number, ChunkOutcome | typeof LOST>();
  /** Set once a lost chunk blocks the ordered output: nothing after it is written. */
  private blocked = false;

  constructor(private readonly parts: MapRunParts) {}

  /** Runs to the end of the input, or until `stop()`; resolves with the exit code. */
  async run(): Promise<MapRunResult> {
    const { input, output, scope } = this.parts;
    while (!this.stopping) {
      while (this.inFlight >= scope.window) await this.settled();
      await output.ready();
      if (this.stopping) break;
      const chunk = await input.take(this.chunkSize);
      // Lines read while Ctrl-C came are not started.
      if (chunk === null || this.stopping) break;
      this.dispatch(chunk);
    }
    while (this.inFlight > 0) await this.settled();
    input.close();
    this.parts.progress?.finish();
    const code = this.stopping ? 130 : this.failed > 0 ? 1 : 0;
    return { code, done: this.done - this.failed, failed: this.failed };
  }

  /** Ctrl-C: start no more lines; those under way finish and are written. */
  stop(): void {
    this.stopping = true;
    // A read waiting for more input (a terminal, a pipe) ends now.
    this.parts.input.close();
    this.wake?.();
  }

  /** Whether `stop()` was called. */
  get stopped(): boolean {
    return this.stopping;
  }

  private dispatch(chunk: LineChunk): void {
    const index = this.nextChunk++;
    this.inFlight++;
    this.runIsolating(chunk).then((outcome) => {
      this.inFlight--;
      this.finish(index, outcome);
      this.wake?.();
    });
  }

  /** The chunk's outcome; a chunk whose worker died runs again line by line. */
  private async runIsolating(chunk: LineChunk): Promise<ChunkOutcome | typeof LOST> {
    try {
      const outcome = await this.parts.scope.run(chunk);
      this.resize(outcome.ms / outcome.lines);
      return outcome;
    } catch (err) {
      if (this.stopping) return LOST;
      if (chunk.lines.length === 1) return this.failedChunk(chunk, err);
      const single = chunk.lines.map((line, i) =>
        this.runIsolating({ numbers: [chunk.numbers[i]!], lines: [line] }),
      );
      const outcomes = await Promise.all(single);
      if (outcomes.includes(LOST)) return LOST;
      const parts = outcomes as ChunkOutcome[];
      return {
        text: parts.map((part) => part.text).join(''),
        failures: parts.flatMap((part) => part.failures),
        lines: chunk.lines.length,
        ms: 0,
      };
    }
  }

  /** Every line of `chunk` failed with `err` (its worker died running it). */
  private failedChunk(chunk: LineChunk, err: unknown): ChunkOutcome {
    const failures = chunk.numbers.map((line) => failureOf(line, err));
    const text = this.parts.ordered ? 'null\n'.repeat(chunk.lines.length) : '';
    return { text, failures, lines: chunk.lines.length, ms: 0 };
  }

  /** Sizes the next chunks so one takes about CHUNK_TARGET_MS: grows by doubling at most, shrinks at once. */
  private resize(msPerLine: number): void {
    const fits = msPerLine > 0 ? Math.floor(CHUNK_TARGET_MS / msPerLine) : MAX_CHUNK_LINES;
    this.chunkSize = Math.max(1, Math.min(fits, this.chunkSize * 2, MAX_CHUNK_LINES));
  }

  private finish(index: number, outcome: ChunkOutcome | typeof LOST): void {
    if (!this.parts.ordered) {
      if (outcome !== LOST) this.write(outcome);
      return;
    }
    this.finished.set(index, outcome);
    for (let next = this.finished.get(this.nextToWrite); next !== undefined; ) {
      this.finished.delete(this.nextToWrite++);
      if (next === LOST) this.blocked = true;
      if (!this.blocked) this.write(next as ChunkOutcome);
      next = this.finished.get(this.nextToWrite);
    }
  }

  private write(outcome: ChunkOutcome): void {
    this.parts.output.write(outcome.text);
    this.done += outcome.lines;
    this.failed += outcome.failures.length;
    for (const failure of outcome.failures) this.parts.report(formatFailure(failure));
  }

  private settled(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
    });
  }
}

/** `line 17: TypeError: x is not a function`. */
export function formatFailure([line, name, message]: LineFailure): string {
  return `line ${line}: ${name}: ${message}`;
}
