// ThreadPoolExecutor passes the executor contract. What only a thread pool does:
// thread-pool-executor-threads.test.ts, thread-pool-identity.test.ts; the soak:
// thread-pool-executor-soak.test.ts.
import { executorContract } from './contracts/executor-contract.js';
import { threadPool } from './support/executors.js';

executorContract(threadPool);
