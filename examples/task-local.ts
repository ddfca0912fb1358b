// contextvars.ContextVar for tasks: each task sees its own value through every await; a task
// starts with a copy of its spawner's values, and code outside any task has its own.
import { sleep, spawn, TaskLocal } from 'weft';

const requestId = new TaskLocal<string>('-');
const log = (msg: string) => console.log(`[${requestId.get()}] ${msg}`);

async function handle(id: string, ms: number) {
  requestId.set(id);
  await sleep(ms);
  log('done');
}
await Promise.all([spawn(handle, 'req-1', 10), spawn(handle, 'req-2', 5)]);
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
