/**
 * One direction of a pipe: what one end sent and the other has not received yet, the
 * receivers parked waiting for it and the pollers waiting for something to arrive. Built
 * on the waiter core, so a receive that times out or is aborted leaves at once and takes
 * nothing.
 * @module
 */
import type { WaitOptions } from '../core/options.js';
import { falseOnTimeout, type OnTimeout, RESOLVED_TRUE, WaiterQueue } from '../core/waiter.js';
import { EOFError } from '../errors.js';
import { Deque } from '../queue/deque.js';

/** One message in a pipe: bytes from `sendBytes`, or a copied value from `send`. */
export type Message =
  | { readonly bytes: true; readonly data: Uint8Array }
  | { readonly bytes: false; readonly data: unknown };

/**
 * What a receiver takes: `undefined` to take `message`, or the error to refuse it with
 * (a `recvBytes` that finds a value, or bytes longer than its `maxLength`). A refused
 * message stays first in line.
 */
export type Accept = (message: Message) => Error | undefined;

/**
 * Where a `Connection` sends: a `Channel` (the other end of a `Pipe` reads it) or a
 * socket's writer. `deliver` may return a promise when the transport wants the sender to
 * wait (a socket's buffer is full).
 */
export interface Outlet {
  /** Nothing sent now would ever be received: the reading end is closed. */
  readonly readerClosed: boolean;
  deliver(message: Message): void | Promise<void>;
  /** This end is done sending (`why` is what the other end's `recv` will say). */
  endOfInput(why: string): void;
}

/** One direction of a pipe, from the end that writes to the end that reads. */
export class Channel implements Outlet {
  private items = new Deque<Message>();
  private readonly receivers = new WaiterQueue<Message>();
  private readonly pollers = new WaiterQueue<boolean>();
  private eof: string | undefined = undefined;
  /** What a receive rejects with at the end of input: `EOFError`, or the error that ended it. */
  private ending: (why: string) => Error = eofError;
  /** The reading end closed: nothing sent now would ever be received. */
  readerClosed = false;

  /**
   * The next message, waiting for one. Rejects with `EOFError` once the writer closed and
   * everything it sent was received, with what `accept` says when it refuses the next
   * message (which then stays), or as `onTimeout` says when the timeout runs out.
   */
  receive(
    opts: WaitOptions | undefined,
    accept: Accept,
    onTimeout: OnTimeout<Message>,
  ): Promise<Message> {
    const head = this.items.peek();
    if (head !== undefined) {
      const refused = accept(head);
      if (refused !== undefined) return Promise.reject(refused);
      this.items.shift();
      return Promise.resolve(head);
    }
    if (this.eof !== undefined) return Promise.reject(this.ending(this.eof));
    return this.receivers.wait(opts, onTimeout, accept);
  }

  /** Whether a receive would answer now (with a message, or with `EOFError`), waiting up to the timeout. */
  poll(opts: WaitOptions | undefined): Promise<boolean> {
    if (this.items.length > 0 || this.eof !== undefined) return RESOLVED_TRUE;
    return this.pollers.wait(opts, falseOnTimeout);
  }

  /** Hands `message` to the longest-waiting receiver that takes it, or keeps it in line. */
  deliver(message: Message): void {
    for (
      let receiver = this.receivers.shift();
      receiver !== null;
      receiver = this.receivers.shift()
    ) {
      const refused = (receiver.data as Accept)(message);
      if (refused !== undefined) receiver.reject(refused);
      else if (receiver.resolve(message)) return;
    }
    this.items.push(message);
    this.pollers.wakeAll(true);
  }

  /**
   * No more messages will come (`why` says which end closed): receivers drain what is
   * left, then get `EOFError` — or, when the input broke (a malformed frame on a socket),
   * the error `ending` makes of `why`; pollers learn that a receive would answer now.
   */
  endOfInput(why: string, ending?: (why: string) => Error): void {
    if (this.eof !== undefined) return;
    this.eof = why;
    if (ending !== undefined) this.ending = ending;
    if (this.items.length === 0) {
      for (
        let receiver = this.receivers.shift();
        receiver !== null;
        receiver = this.receivers.shift()
      ) {
        receiver.reject(this.ending(why));
      }
    }
    this.pollers.wakeAll(true);
  }

  /** The reading end closed: what is in line is dropped, and later deliveries are refused by the writer. */
  closeReader(): void {
    this.readerClosed = true;
    this.items = new Deque();
  }
}

function eofError(why: string): Error {
  return new EOFError(why);
}
