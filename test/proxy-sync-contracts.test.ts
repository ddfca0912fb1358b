// Handles on the synchronization primitives pass the same contracts as the primitives: each
// primitive lives in this thread, and the suite drives it only through a handle that talks to
// it over the real handle protocol (a MessageChannel with both ends here).
import { after } from 'node:test';
import { closeLocalHandles } from './fixtures/proxy-local.js';
import { killAll } from './support/dead-party.js';
import { syncHandleContracts } from './support/handle-contracts.js';

after(closeLocalHandles);
after(killAll);

syncHandleContracts('handle', 'thread');
