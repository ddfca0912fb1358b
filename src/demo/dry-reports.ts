/**
 * How the main thread counts the dry stage when the dryers run in worker threads on shared
 * queues (`--mode threads`): their gets and puts never pass through the main thread, so
 * each dryer reports what it does on a third `SharedQueue` — `0` for a dish taken, the
 * dish's number for one finished — and the main thread counts the reports in. It counts
 * them before every dish a stacker takes (a dryer reports a dish finished just before it
 * puts it on the stack queue, so the dry stage always sees it first) and every few
 * milliseconds for the progress display.
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SharedQueue } from '../shared/shared-queue.js';
import type { DishOutput, StageCounter } from './stage.js';

/** A report meaning "a dish was taken" (dish numbers start at 1). */
const TOOK = 0;
/** How often the main thread counts reports in while the run goes on. */
const EVERY_MS = 10;

/**
 * What a dryer in a thread is given instead of a counter and the stack queue: it reports a
 * dish taken when it takes it, and a dish finished just before it puts it on `toStack` — so
 * the report is in before a stacker can take that dish.
 */
export function reporting(
  toStack: SharedQueue<number>,
  reports: SharedQueue<number>,
): { counter: StageCounter; output: DishOutput } {
  return {
    counter: { took: () => reports.putNowait(TOOK), finished: () => {} },
    output: {
      put(dish) {
        reports.putNowait(dish);
        return toStack.put(dish);
      },
    },
  };
}

/** The main thread's end of the reports: counts them into the dry stage's tally. */
export class DryReports {
  constructor(
    readonly reports: SharedQueue<number>,
    private readonly dry: StageCounter,
  ) {}

  /** Counts every report in so far. */
  countIn(): void {
    while (!this.reports.empty()) {
      const report = this.reports.getNowait();
      if (report === TOOK) this.dry.took();
      else this.dry.finished(report);
    }
  }

  /** The stack stage's counter, which counts the dry stage's reports in first. */
  before(stack: StageCounter): StageCounter {
    return {
      took: () => {
        this.countIn();
        stack.took();
      },
      finished: (dish) => stack.finished(dish),
    };
  }

  /** Counts reports in every few milliseconds until `done()` says the run is over, then once more. */
  async watch(done: () => boolean): Promise<void> {
    while (!done()) {
      this.countIn();
      await sleep(EVERY_MS);
    }
    this.countIn();
  }
}
