// The executor implementations the executor contract runs over
// (test/contracts/executor-contract.ts), each with what it does differently.
import { ProcessPoolExecutor, ThreadPoolExecutor } from '../../src/index.js';
import * as tasks from '../fixtures/executor-tasks.js';
import { shareChildLimit } from './child-budget.js';
import type { ExecutorImpl } from './executor-harness.js';

// The workers' own waits for the test (the gates of test/fixtures/executor-tasks.ts) scale
// with what starting a child costs here now: a busy machine waits longer.
await shareChildLimit(60_000);

export const threadPool: ExecutorImpl = {
  name: 'ThreadPoolExecutor',
  kind: 'thread',
  create: (options) => new ThreadPoolExecutor(options),
  tasks,
  capabilities: { movesBuffers: true, crashCause: true },
};

export const processPool: ExecutorImpl = {
  name: 'ProcessPoolExecutor',
  kind: 'process',
  create: (options) => new ProcessPoolExecutor(options),
  tasks,
  capabilities: {
    // An IPC message carries no transfer list: a move()d buffer is serialized, and the
    // sender keeps its copy.
    movesBuffers: false,
    // A child killed by an uncaught error prints it on its stderr; the parent sees only the
    // exit code.
    crashCause: false,
  },
};
