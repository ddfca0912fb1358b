/**
 * How an `Actor` is reached from another thread or process: the methods its owner serves
 * to an `ActorHandle`.
 * @module
 */
import type { LiveState } from '../codec/descriptor.js';
import { plain, registerRemoteKind, type ServedKind } from '../remote/served-kind.js';
import { Actor } from './actor.js';
import { ActorHandle } from './actor-handle.js';

const actorServed: ServedKind<Actor> = {
  kind: 'Actor',
  info: (actor) => ({
    className: actor.constructor.name,
    name: actor.name,
    state: actorState(actor),
  }),
  state: actorState,
  methods: {
    send: plain('send', 1, true),
    sendNowait: plain('sendNowait', 1),
    ask: plain('ask', 1, true),
    close: plain('close', 0),
    join: plain('join', 0, true),
    isAlive: plain('isAlive', 0),
  },
};

function actorState(actor: Actor): LiveState {
  return { closed: actor.closed };
}

registerRemoteKind(Actor, actorServed, ActorHandle);
