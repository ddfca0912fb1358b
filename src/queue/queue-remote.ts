/**
 * How a `Queue` (and its subclasses) is reached from another thread or process: the
 * methods its owner serves to a `QueueHandle`, and the state sent along with every reply.
 * An item a get hands to a handle is given back to the front of the queue unless the
 * handle confirms it arrived: its thread or process may die with the answer on the way.
 * @module
 */
import type { LiveState } from '../codec/descriptor.js';
import {
  type MethodSpec,
  plain,
  registerRemoteKind,
  type ServedKind,
} from '../remote/served-kind.js';
import { GIVE_BACK } from './getters.js';
import { Queue } from './queue.js';
import { QueueHandle } from './queue-handle.js';

const queueServed: ServedKind<Queue<unknown>> = {
  kind: 'Queue',
  info: (queue) => ({ className: queue.constructor.name, state: queueState(queue) }),
  state: queueState,
  methods: {
    put: plain('put', 1, true),
    putNowait: plain('putNowait', 1),
    get: delivered(plain('get', 0, true)),
    getNowait: delivered(plain('getNowait', 0)),
    qsize: plain('qsize', 0),
    empty: plain('empty', 0),
    full: plain('full', 0),
    taskDone: plain('taskDone', 0),
    join: plain('join', 0, true),
    shutdown: plain('shutdown', 1),
  },
};

/** A get whose item goes back to the front unless it reaches the handle. */
function delivered(spec: MethodSpec<Queue<unknown>>): MethodSpec<Queue<unknown>> {
  return {
    ...spec,
    delivers: true,
    orphaned: (queue, item, withdrawn) => {
      if (!withdrawn) queue[GIVE_BACK](item);
    },
  };
}

function queueState(queue: Queue<unknown>): LiveState {
  return { shutDown: queue.shutDown, maxsize: queue.maxsize };
}

registerRemoteKind(Queue, queueServed, QueueHandle);
