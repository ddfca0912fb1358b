// The multiprocessing.Pool contract (test/contracts/pool.ts) over `Pool`: the same
// behaviours as ThreadPool, with the work in child processes.
import { Pool } from '../src/index.js';
import { poolContract } from './contracts/pool.js';

poolContract({ name: 'Pool', create: (processes, options) => new Pool(processes, options) });
