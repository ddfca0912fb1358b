// ThreadPoolExecutor's soak (see executor-contract-soak.ts).
import { executorSoakContract } from './contracts/executor-contract.js';
import { threadPool } from './support/executors.js';

executorSoakContract(threadPool);
