// The worker of the minimal pipelined pool (minimal-pool.ts), as a worker thread or a child
// process: answers each task at once with {id, result}. A task message is {id, arg}; a burst
// is [firstId, arg, arg, ...], the tasks of ids firstId, firstId + 1, ...
import { parentPort } from 'node:worker_threads';

const port = parentPort ?? process;
const reply = parentPort
  ? (message) => parentPort.postMessage(message)
  : (message) => process.send(message);

port.on('message', (task) => {
  if (Array.isArray(task)) {
    for (let i = 1; i < task.length; i++) reply({ id: task[0] + i - 1, result: task[i] + 1 });
  } else {
    reply({ id: task.id, result: task.arg + 1 });
  }
});
