/**
 * The owner's side of pipelined puts (credit-based, as a flow-controlled link): a producer
 * in another thread or process that loops on `put()` is granted credits with the answers to
 * its puts, and puts under a credit without waiting for an answer (see queue-put-credits.ts
 * for the handle's side).
 *
 * A credit is a slot the queue reserved for that producer: counted against `maxsize` by
 * `full()` and by putters waiting for room, not by `qsize()`, so a bounded queue never holds
 * more than its bound. On an unbounded queue credits bound only how many puts are in
 * flight. Credits are granted only as room allows, never while putters wait, never after
 * shutdown; they come back when the producer gives them back (idle, see the handle) or its
 * connection ends (it disconnected, or its thread or process died): an item it put under a
 * credit is the queue's once it reached the owner, whatever happens to the producer then.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import type { ConnectionScope, MethodSpec } from '../remote/served-kind.js';
import { FULL_BESIDE, PUT_RESERVED, RELEASE_RESERVED, RESERVE } from './getters.js';
import type { Queue } from './queue.js';

/** The most credits a producer's handle holds: on an unbounded queue, the most puts in flight. */
export const PUT_WINDOW = 256;

/** The credits one connection holds. */
interface Held {
  count: number;
  /** Its connection ended: whatever it held went back, and it is granted no more. */
  ended: boolean;
}

const heldBy = new WeakMap<ConnectionScope, Held>();

/** The credits `scope` holds on `queue`; given back when the connection ends. */
function heldFor(queue: Queue<unknown>, scope: ConnectionScope): Held {
  let held = heldBy.get(scope);
  if (held === undefined) {
    const created: Held = { count: 0, ended: false };
    scope.onClose(() => {
      created.ended = true;
      const count = created.count;
      created.count = 0;
      if (count > 0) queue[RELEASE_RESERVED](count);
    });
    heldBy.set(scope, created);
    held = created;
  }
  return held;
}

/** Grants the connection credits up to `want` held, as the queue has room: returns how many. */
function grant(queue: Queue<unknown>, held: Held, want: unknown): number {
  const wanted = creditCount(want, 'asked to hold');
  if (held.ended || wanted <= held.count) return 0;
  const granted = queue[RESERVE](wanted - held.count);
  held.count += granted;
  return granted;
}

/** A count a handle sent: checked, since a handle is not trusted to send sense. */
function creditCount(count: unknown, what: string): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > PUT_WINDOW) {
    throw new TypeError(`Queue: a handle ${what} ${String(count)} credits`);
  }
  return count;
}

type QueueMethod = MethodSpec<Queue<unknown>>;

/** The served methods of pipelined puts: `Queue`'s, for queues whose puts fail only by shutdown. */
export const creditMethods: Readonly<Record<string, QueueMethod>> = {
  /** `put(item)` waiting for room as any put, answered with the credits granted after it. */
  putAhead: {
    waits: true,
    arity: 2,
    run: (queue, args, opts: WaitOptions | undefined, scope) => {
      const held = heldFor(queue, scope);
      return queue.put(args[0], opts).then(() => grant(queue, held, args[1]));
    },
  },
  /** A put under a credit: into the slot reserved for it, answered with the credits granted after it. */
  putCredited: {
    waits: false,
    arity: 2,
    run: (queue, args, _opts, scope) => {
      const held = heldFor(queue, scope);
      if (held.count < 1)
        throw new TypeError('Queue: a handle put under a credit it does not hold');
      held.count--;
      queue[PUT_RESERVED](args[0]);
      return grant(queue, held, args[1]);
    },
  },
  /** `full()` as the handle sees it: the slots reserved for its own puts are room for them. */
  full: {
    waits: false,
    arity: 0,
    run: (queue, _args, _opts, scope) => queue[FULL_BESIDE](heldBy.get(scope)?.count ?? 0),
  },
  /** Credits the handle will not use: their slots free. */
  releaseCredits: {
    waits: false,
    arity: 1,
    run: (queue, args, _opts, scope) => {
      const held = heldFor(queue, scope);
      const count = Math.min(creditCount(args[0], 'gave back'), held.count);
      held.count -= count;
      queue[RELEASE_RESERVED](count);
    },
  },
};
