/**
 * The display of `weft demo dishes`: one progress line per stage, redrawn in place on a
 * terminal, and a closing summary table. Off a terminal (CI logs, tests, pipes) only the
 * final state is printed, so the output stays clean.
 * @module
 */
import {
  type DishesOptions,
  type DishesReporter,
  type DishesSummary,
  type StageStats,
  stageRate,
  stageSeconds,
} from './dishes.js';

/** Where the display writes: `process.stdout` or anything with `write`. */
export interface ProgressOutput {
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Redraw the stage lines in place while the run goes on (only sensible on a TTY). */
  live: boolean;
  /** Least time between two redraws, in ms (default 50). */
  redrawMs?: number;
}

const BAR_WIDTH = 30;
const CURSOR_UP = (lines: number) => `\x1b[${lines}A`;
const CLEAR_LINE = '\x1b[2K';

/** A reporter that draws the progress lines and the summary table on `out`. */
export function progressReporter(out: ProgressOutput, options: ProgressOptions): DishesReporter {
  const redrawMs = options.redrawMs ?? 50;
  let stages: readonly StageStats[] = [];
  let total = 0;
  let drawn = false;
  let lastDraw = 0;

  const draw = () => {
    const lines = stages.map((stage) => `${CLEAR_LINE}${formatStageLine(stage, total)}\n`);
    out.write((drawn ? CURSOR_UP(stages.length) : '') + lines.join(''));
    drawn = true;
    lastDraw = performance.now();
  };

  return {
    start(opts, liveStages) {
      stages = liveStages;
      total = opts.dishes;
      out.write(`${formatHeading(opts)}\n`);
      if (options.live) draw();
    },
    dish() {
      if (options.live && performance.now() - lastDraw >= redrawMs) draw();
    },
    finish(summary) {
      if (options.live) draw();
      else out.write(summary.stages.map((s) => `${formatStageLine(s, total)}\n`).join(''));
      out.write(`\n${formatSummary(summary)}`);
    },
  };
}

/** `Washing 200 dishes: 2 washers, 3 dryers, 1 stacker; queues hold 10 (mode: tasks)`. */
export function formatHeading(opts: Readonly<DishesOptions>): string {
  return (
    `Washing ${plural(opts.dishes, 'dish', 'dishes')}: ${plural(opts.washers, 'washer')}, ` +
    `${plural(opts.dryers, 'dryer')}, ${plural(opts.stackers, 'stacker')}; ` +
    `queues hold ${opts.queueSize} (mode: ${opts.mode}${opts.work === 'cpu' ? ', work: cpu' : ''})`
  );
}

/** `wash   ████████░░░░  70/100   812.3 dishes/s` */
export function formatStageLine(stage: StageStats, total: number): string {
  const filled = Math.floor((stage.dishes / total) * BAR_WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
  const count = `${String(stage.dishes).padStart(String(total).length)}/${total}`;
  return `${stage.name.padEnd(6)} ${bar}  ${count}  ${formatRate(stageRate(stage)).padStart(7)} dishes/s`;
}

/** The closing table: dishes, seconds and dishes/s per stage, then the whole run. */
export function formatSummary(summary: DishesSummary): string {
  const header = ['stage', 'workers', 'dishes', 'seconds', 'dishes/s'];
  const rows = summary.stages.map((stage) => [
    stage.name,
    String(stage.workers),
    String(stage.dishes),
    stageSeconds(stage).toFixed(3),
    formatRate(stageRate(stage)),
  ]);
  const workers = summary.stages.reduce((sum, stage) => sum + stage.workers, 0);
  rows.push([
    'total',
    String(workers),
    String(summary.options.dishes),
    summary.seconds.toFixed(3),
    formatRate(summary.seconds > 0 ? summary.options.dishes / summary.seconds : undefined),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

function formatRate(rate: number | undefined): string {
  return rate === undefined ? '-' : rate.toFixed(1);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
