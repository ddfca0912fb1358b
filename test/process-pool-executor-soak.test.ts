// ProcessPoolExecutor's soak (see executor-contract-soak.ts).
import { executorSoakContract } from './contracts/executor-contract.js';
import { processPool } from './support/executors.js';

executorSoakContract(processPool);
