/**
 * What a handle's connection and the owner's server need of the pipe between them: the
 * shape of a `MessagePort`. A `MessagePort` is one (between threads); a `SocketChannel`
 * is the other (between processes, see socket-link.ts).
 * @module
 */
import type { Transferable } from 'node:worker_threads';
import type { Destination } from '../codec/descriptor.js';

export interface Endpoint {
  postMessage(value: unknown, transfer?: readonly Transferable[]): void;
  // biome-ignore lint/suspicious/noExplicitAny: as MessagePort declares it
  on(event: 'message', listener: (value: any) => void): this;
  on(event: 'close', listener: () => void): this;
  ref(): void;
  unref(): void;
  close(): void;
  /** Where values sent on it go; a `MessagePort` (no such field) reaches another thread. */
  readonly crossesTo?: Destination;
}

/** Where values sent on `endpoint` end up. */
export function destinationOf(endpoint: Endpoint): Destination {
  return endpoint.crossesTo ?? 'thread';
}
