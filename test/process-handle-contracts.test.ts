// Handles as a child process gets them pass the same contracts as the primitives: each
// primitive lives in this thread and crosses as it does into a process (a V8-serialized
// 'socket' descriptor); the suites drive it only through the handle, which reaches its owner
// over this thread's local socket — the socket transport, framing and serialization a child
// uses, with both ends here so that the suites stay fast. The same primitives shared with
// real child processes: process-handles.test.ts.
import { after } from 'node:test';
import { closeLocalHandles } from './fixtures/proxy-local.js';
import { killAll } from './support/dead-party.js';
import { queueHandleContracts, syncHandleContracts } from './support/handle-contracts.js';

after(closeLocalHandles);
after(killAll);

syncHandleContracts('process handle', 'process');
queueHandleContracts('process handle', 'process');
