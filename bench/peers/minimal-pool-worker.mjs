// The worker of the minimal pipelined pool (minimal-pool.ts): answers each task at once with
// {id, result}. A task message is {id, arg}; a burst is [firstId, arg, arg, ...], the
// tasks of ids firstId, firstId + 1, ...
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (task) => {
  if (Array.isArray(task)) {
    for (let i = 1; i < task.length; i++) {
      parentPort.postMessage({ id: task[0] + i - 1, result: task[i] + 1 });
    }
  } else {
    parentPort.postMessage({ id: task.id, result: task.arg + 1 });
  }
});
