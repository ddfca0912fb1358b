// Handles on each queue kind pass the same queue contract as the queues: each queue lives in
// this thread, and the suite drives it only through a handle that talks to it over the real
// handle protocol (a MessageChannel with both ends here).
import { after } from 'node:test';
import { closeLocalHandles } from './fixtures/proxy-local.js';
import { queueHandleContracts } from './support/handle-contracts.js';

after(closeLocalHandles);

queueHandleContracts('handle', 'thread');
