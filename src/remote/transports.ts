/**
 * The two transports that reach a primitive through its owner, registered with the codec:
 * `'port'` (a `MessagePort` into another thread of this process) and `'socket'` (a local
 * socket the owner listens on, from another process). On the owner's side a primitive
 * crossing starts being served; on the receiving side a descriptor becomes a handle of the
 * class registered for its kind, on a `RemoteLink`.
 * @module
 */
import { MessageChannel } from 'node:worker_threads';
import type { Crossed, HandleDescriptor } from '../codec/descriptor.js';
import { registerTransport, type ServedKindBase } from '../codec/registry.js';
import { handleOn } from './handle.js';
import { serve } from './owner-server.js';
import type { PortDescriptor, SocketDescriptor } from './protocol.js';
import { connectPort, connectSocket } from './remote-link.js';
import type { ServedKind } from './served-kind.js';
import { tokenFor } from './socket-host.js';

registerTransport({
  name: 'port',
  serves: 'thread',
  decode: (descriptor: HandleDescriptor) => handleOn(connectPort(descriptor as PortDescriptor)),
  cross(value: object, base: ServedKindBase): Crossed {
    const kind = base as ServedKind;
    const { port1, port2 } = new MessageChannel();
    serve(value, kind, port1);
    const descriptor: PortDescriptor = { ...facts(value, kind, 'port'), port: port2 };
    return { descriptor, transfer: [port2] };
  },
});

registerTransport({
  name: 'socket',
  serves: 'process',
  decode: (descriptor: HandleDescriptor) => handleOn(connectSocket(descriptor as SocketDescriptor)),
  cross(value: object, base: ServedKindBase): Crossed {
    const kind = base as ServedKind;
    const { address, token } = tokenFor(value, (subject, channel) => serve(subject, kind, channel));
    const descriptor: SocketDescriptor = { ...facts(value, kind, 'socket'), address, token };
    return { descriptor, transfer: [] };
  },
});

/** What every descriptor of an owner-served primitive says. */
function facts<T extends string>(value: object, kind: ServedKind, transport: T) {
  return { $weft: 'handle', kind: kind.kind, transport, info: kind.info(value) } as const;
}
