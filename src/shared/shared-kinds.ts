/**
 * Every shared-memory primitive, loaded so a thread can rebuild any of them on arrival
 * (see shared-transport.ts). Imported by `src/kinds.ts`.
 * @module
 */
import './shared-barrier.js';
import './shared-condition.js';
import './shared-event.js';
import './shared-lock.js';
import './shared-queue.js';
import './shared-value.js';
import './shared-array.js';
import './shared-remote.js';
import './shared-rlock.js';
import './shared-semaphore.js';
