// ProcessPoolExecutor passes the executor contract. What only a process pool does:
// process-pool-executor-processes.test.ts; the soak: process-pool-executor-soak.test.ts.
import { executorContract } from './contracts/executor-contract.js';
import { processPool } from './support/executors.js';

executorContract(processPool);
