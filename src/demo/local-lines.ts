/**
 * The layouts of the modes whose queues live in this process: `Queue`s the main thread
 * watches (tasks, processes) and `SharedQueue`s with reports (threads).
 * @module
 */
import { SharedQueue } from '../shared/shared-queue.js';
import { type DishLineLayout, type DishLineOptions, joinInOrder } from './dish-lines.js';
import { DryReports } from './dry-reports.js';
import { WatchedQueue } from './watched-queue.js';

/**
 * Tasks and processes: the main thread's own queues (a child process reaches them through
 * handles). The dry stage is counted at them: a dish taken from `toDry` is one it took, a
 * dish arriving on `toStack` one it finished.
 */
export function watchedLines({ queueSize, work }: DishLineOptions): DishLineLayout {
  return ({ wash, dry, stack }) => {
    const toDry = new WatchedQueue<number>(queueSize, { taken: () => dry.took() });
    const toStack = new WatchedQueue<number>(queueSize, { arrived: (dish) => dry.finished(dish) });
    return {
      toDry,
      stackInput: toStack,
      washCounter: wash,
      stackCounter: stack,
      dryerJob: { kind: 'handed', toDry, toStack, work },
      helpers: [],
      join: () => joinInOrder(toDry, toStack),
      shutdown: async (immediate) => {
        toDry.shutdown(immediate);
        toStack.shutdown(immediate);
      },
      close: async () => {},
    };
  };
}

/**
 * Threads: shared queues, which cross into each dryer thread as the same memory. Nothing
 * passes through the main thread then, so the dryers report on a third shared queue (see
 * dry-reports.ts), counted in before each dish a stacker takes and every few milliseconds.
 */
export function sharedLines({ queueSize, work }: DishLineOptions): DishLineLayout {
  return ({ wash, dry, stack }) => {
    const reports = new DryReports(new SharedQueue({ name: 'dry reports' }), dry);
    const toDry = new SharedQueue<number>({ maxsize: queueSize, name: 'to dry' });
    const toStack = new SharedQueue<number>({ maxsize: queueSize, name: 'to stack' });
    return {
      toDry,
      stackInput: toStack,
      washCounter: wash,
      stackCounter: reports.before(stack),
      dryerJob: { kind: 'handed', toDry, toStack, work, reports: reports.reports },
      helpers: [() => reports.watch(() => toDry.shutDown)],
      join: () => joinInOrder(toDry, toStack),
      shutdown: async (immediate) => {
        toDry.shutdown(immediate);
        toStack.shutdown(immediate);
      },
      close: async () => {},
    };
  };
}
