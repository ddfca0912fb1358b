/**
 * Entry of a ProcessPoolExecutor worker process: the executor runtime over the IPC
 * channel, and the process ending with its parent.
 *
 * Replies travel together, one IPC message per batch of tasks (or per turn, for tasks that
 * wait): each message costs a system call and a serialization, so a hundred tiny results
 * sent together cost little more than one. IPC sends are asynchronous and lost if the
 * process exits first, so beside the channel the child keeps a record it writes
 * synchronously (exit-record.ts): the count of tasks it has started, before each one, and
 * at exit every reply not yet confirmed sent.
 * The pool thus learns every result and which task a dying child was running.
 * @module
 */
import { serialize } from 'node:v8';
import { exitWithParent } from '../../process/orphan-guard.js';
import { runWorker } from '../worker-runtime.js';
import { REPLIES, type Replies, recordSaved, recordStarted } from './exit-record.js';

const send = process.send?.bind(process);
if (send === undefined) {
  throw new Error('pool-process is the entry of a weft pool process, not a module to run');
}
exitWithParent();

/** Replies not yet handed to the channel. */
let replies: unknown[] = [];
/** Whether a flush at the end of this turn is scheduled. */
let flushQueued = false;
/** Replies handed to the channel so far (the index of the next one). */
let handedOver = 0;
/** Batches handed to the channel whose write has not completed, oldest first. */
const unconfirmed: Replies[] = [];

/** Time spent running the batches finished since the last message (ms), and their tasks. */
let busyMs = 0;
let busyTasks = 0;

function flushReplies(): void {
  if (replies.length === 0) return;
  const message: Replies = { [REPLIES]: replies, first: handedOver };
  if (busyTasks > 0) {
    message.busy = [busyMs, busyTasks];
    busyMs = busyTasks = 0;
  }
  handedOver += replies.length;
  replies = [];
  unconfirmed.push(message);
  send!(message, undefined, {}, () => unconfirmed.shift());
}

process.on('exit', () => {
  const first = unconfirmed[0]?.first ?? handedOver;
  const rest = [...unconfirmed.flatMap((batch) => batch[REPLIES]), ...replies];
  if (rest.length === 0) return;
  try {
    recordSaved(serialize({ [REPLIES]: rest, first }));
  } catch {
    // A reply that cannot be serialized was refused when it was made; nothing more to save.
  }
});

function flushTurn(): void {
  flushQueued = false;
  flushReplies();
}

runWorker({
  post: (message) => {
    replies.push(message);
    if (!flushQueued) {
      flushQueued = true;
      setImmediate(flushTurn);
    }
  },
  // The answers of a batch leave as soon as it is done, while the next batch runs: the pool
  // hands this process its next batch meanwhile, so it never waits for work. The time the
  // batch took goes with them: the pool sizes its hand-overs by it.
  batchDone: (ms, tasks) => {
    if (tasks > 0) {
      busyMs += ms;
      busyTasks += tasks;
    }
    flushReplies();
  },
  onMessage: (listener) => process.on('message', listener),
  markStarted: recordStarted,
  to: 'process',
});
