// contextvars.ContextVar for tasks: each task sees its own value through every await; a task
// starts with a copy of its spawner's values, and code outside any task has its own.
import { Event, sleep, spawn, TaskLocal } from 'weft';

const requestId = new TaskLocal<string>('-');
const log = (msg: string) => console.log(`[${requestId.get()}] ${msg}`);

// Both tasks are suspended at once; req-1 resumes only after req-2 is done (so the lines
// always come out in this order), and each still sees its own id.
const secondDone = new Event();
async function handle(id: string, after?: Event) {
  requestId.set(id);
  if (after) await after.wait();
  else await sleep(5);
  log('done');
  if (!after) secondDone.set();
}
await Promise.all([spawn(handle, 'req-1', secondDone), spawn(handle, 'req-2')]);
log('outside any task');

// set() returns a Disposable that puts the previous value back, like a contextvars token.
await spawn(async () => {
  requestId.set('outer');
  {
    using _ = requestId.set('inner');
    log('in the block');
  }
  log('after the block');
});
