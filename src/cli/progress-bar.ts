/**
 * The progress line of `weft map` on a terminal: a bar (when the total is known), the count,
 * the rate and the time left, redrawn in place at most ten times a second. Messages (a
 * failed line) are printed above it without tearing it.
 * @module
 */

/** A terminal-like stream: `process.stderr`. */
export interface ProgressTerminal {
  write(text: string): unknown;
  readonly columns?: number | undefined;
}

const REDRAW_MS = 100;
const CLEAR = '\r\x1b[2K';

/** One live line: `[██████░░░░░░] 6,000/10,000  12,345/s  ETA 0:01  0:02 elapsed`. */
export class ProgressBar {
  /** Lines in the input, once known (then the bar and ETA are shown). */
  total: number | undefined = undefined;
  private shown = false;
  private lastDraw = 0;
  private readonly startedAt = performance.now();
  private readonly timer: NodeJS.Timeout;

  /** `position()` is how far the input is (lines passed or done); `done()` the lines worked this run. */
  constructor(
    private readonly out: ProgressTerminal,
    private readonly position: () => number,
    private readonly done: () => number,
  ) {
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  /** Prints `line` above the bar. */
  message(line: string): void {
    this.out.write(`${this.shown ? CLEAR : ''}${line}\n`);
    this.shown = false;
    if (performance.now() - this.lastDraw >= REDRAW_MS) this.draw();
  }

  /** Draws the bar now. */
  draw(): void {
    this.lastDraw = performance.now();
    this.out.write(`${CLEAR}${this.line()}`);
    this.shown = true;
  }

  /** Draws the final state and leaves it on its own line. */
  finish(): void {
    clearInterval(this.timer);
    this.draw();
    this.out.write('\n');
  }

  private line(): string {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const done = this.done();
    const rate = seconds > 0 ? done / seconds : 0;
    const parts = [`${count(Math.round(rate))}/s`];
    const { total } = this;
    if (total !== undefined && total > 0) {
      const position = Math.min(this.position(), total);
      const width = Math.max(10, Math.min(40, (this.out.columns || 80) - 50));
      const filled = Math.floor((position / total) * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      parts.unshift(`[${bar}] ${count(position)}/${count(total)}`);
      if (rate > 0) parts.push(`ETA ${clock((total - position) / rate)}`);
    } else parts.unshift(`${count(done)} done`);
    parts.push(`${clock(seconds)} elapsed`);
    return parts.join('  ');
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** `m:ss` (or `h:mm:ss`). */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const ss = String(s % 60).padStart(2, '0');
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
