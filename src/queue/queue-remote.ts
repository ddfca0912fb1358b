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
import { GIVE_BACK, LEND, LENT_RECEIVED, PUSHES_AHEAD } from './getters.js';
import { Queue } from './queue.js';
import { creditMethods } from './queue-credits.js';
import { QueueHandle } from './queue-handle.js';

const queueServed: ServedKind<Queue<unknown>> = {
  kind: 'Queue',
  info: (queue) => ({ className: queue.constructor.name, state: queueState(queue) }),
  state: queueState,
  methods: {
    put: plain('put', 1, true),
    putNowait: plain('putNowait', 1),
    get: delivered(plain('get', 0, true)),
    // A get fetching ahead for a consumer (queue-prefetch.ts): counted in the queue until kept.
    lend: {
      waits: true,
      arity: 1,
      delivers: true,
      run: (queue, args, opts) => queue[LEND](lendSize(args[0]), opts),
      // What is left of the batch goes back, the latest first, so the earliest is in front.
      orphaned: (queue, items, withdrawn) => {
        if (withdrawn) return;
        const batch = items as unknown[];
        for (let i = batch.length - 1; i >= 0; i--) queue[GIVE_BACK](batch[i], true);
      },
      confirmed: (queue, items) => queue[LENT_RECEIVED]((items as unknown[]).length),
    },
    getNowait: delivered(plain('getNowait', 0)),
    qsize: plain('qsize', 0),
    empty: plain('empty', 0),
    taskDone: plain('taskDone', 0),
    join: plain('join', 0, true),
    shutdown: plain('shutdown', 1),
    // Pipelined puts for producers that loop, and `full` as a producer holding credits sees it (queue-credits.ts).
    ...creditMethods,
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

/** The size of a batch a handle asks for: checked, since a handle is not trusted to send sense. */
function lendSize(max: unknown): number {
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_LEND) {
    throw new TypeError(`Queue: a handle asked for a batch of ${String(max)} items`);
  }
  return max;
}

/** The largest batch a handle may fetch ahead at once. */
const MAX_LEND = 1024;

function queueState(queue: Queue<unknown>): LiveState {
  return { shutDown: queue.shutDown, maxsize: queue.maxsize, pushesAhead: queue[PUSHES_AHEAD] };
}

registerRemoteKind(Queue, queueServed, QueueHandle);
