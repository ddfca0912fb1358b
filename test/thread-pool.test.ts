// ThreadPool (multiprocessing.pool.ThreadPool over worker threads) against the pool contract.
import { ThreadPool } from '../src/index.js';
import { poolContract } from './contracts/pool.js';

poolContract({
  name: 'ThreadPool',
  create: (processes, options) => new ThreadPool(processes, options),
});
