// The worker of the minimal pipelined pool (minimal-pool.ts): answers each task message
// {id, arg} with {id, result} at once.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (task) => {
  parentPort.postMessage({ id: task.id, result: task.arg + 1 });
});
