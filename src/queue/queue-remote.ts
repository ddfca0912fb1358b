/**
 * How a `Queue` (and its subclasses) is reached from another thread or process: the
 * methods its owner serves to a `QueueHandle`, and the state sent along with every reply.
 * @module
 */
import type { LiveState } from '../codec/descriptor.js';
import { plain, registerRemoteKind, type ServedKind } from '../remote/served-kind.js';
import { Queue } from './queue.js';
import { QueueHandle } from './queue-handle.js';

const queueServed: ServedKind<Queue<unknown>> = {
  kind: 'Queue',
  info: (queue) => ({ className: queue.constructor.name, state: queueState(queue) }),
  state: queueState,
  methods: {
    put: plain('put', 1, true),
    putNowait: plain('putNowait', 1),
    get: plain('get', 0, true),
    getNowait: plain('getNowait', 0),
    qsize: plain('qsize', 0),
    empty: plain('empty', 0),
    full: plain('full', 0),
    taskDone: plain('taskDone', 0),
    join: plain('join', 0, true),
    shutdown: plain('shutdown', 1),
  },
};

function queueState(queue: Queue<unknown>): LiveState {
  return { shutDown: queue.shutDown, maxsize: queue.maxsize };
}

registerRemoteKind(Queue, queueServed, QueueHandle);
