// The behaviours every executor shares, whatever its workers are (threads, child processes,
// and later remote workers): submit, map, bursts shared across workers, shutdown, crashes and
// initializers, run against each implementation. A new implementation adds an ExecutorImpl (test/support/executors.ts) and a
// test file that runs this contract over it; what only one implementation does stays in that
// implementation's own test files. The soak, long, runs from a file of its own:
// executorSoakContract (executor-contract-soak.ts).
import type { ExecutorImpl } from '../support/executor-harness.js';
import { executorBalanceContract } from './executor-contract-balance.js';
import { executorChunksContract } from './executor-contract-chunks.js';
import { executorCrashContract } from './executor-contract-crash.js';
import { executorLifecycleContract } from './executor-contract-lifecycle.js';
import { executorMapContract } from './executor-contract-map.js';
import { executorSubmitContract } from './executor-contract-submit.js';

export { executorSoakContract } from './executor-contract-soak.js';

export function executorContract(impl: ExecutorImpl): void {
  executorSubmitContract(impl);
  executorMapContract(impl);
  executorChunksContract(impl);
  executorBalanceContract(impl);
  executorLifecycleContract(impl);
  executorCrashContract(impl);
}
