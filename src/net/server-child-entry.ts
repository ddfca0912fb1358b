/**
 * The child side of a `processes: n` server: load the handler, serve the listening socket
 * the parent sent with a `TCPServer` of its own, report failures to the parent's
 * `onError`, and exit once told to shut down (or when the parent dies).
 * @module
 */
import type { Server, Socket } from 'node:net';
import { encodeError } from '../codec/error-codec.js';
import { loadTargetRef } from '../portable/load.js';
import { loadClass } from '../portable/portable-class.js';
import { exitWithParent } from '../process/orphan-guard.js';
import type { ChildMessage } from './server-children.js';
import type { ServerErrorInfo } from './server-options.js';
import { ADOPT, TCPServer } from './tcp-server.js';

const send = process.send?.bind(process);
if (send === undefined) {
  throw new Error('server-child-entry is the entry of a weft server child, not a module to run');
}
exitWithParent();

let server: TCPServer | undefined;
let listening: Server | undefined;

process.on('message', (message: ChildMessage, handle?: Server | Socket) => {
  if (message?.$weftNetChild === 'serve') void serve(message, handle as Server);
  else if (message?.$weftNetChild === 'socket' && handle !== undefined) {
    // A connection the parent accepted: served as if this child had accepted it.
    if (listening === undefined) (handle as Socket).destroy();
    else listening.emit('connection', handle);
  } else if (message?.$weftNetChild === 'shutdown') {
    const done = server?.shutdown({ timeout: message.timeout }) ?? Promise.resolve();
    void done.finally(() => process.exit(0));
  }
});

async function serve(
  { handler, options }: Extract<ChildMessage, { $weftNetChild: 'serve' }>,
  handle: Server,
): Promise<void> {
  try {
    const loaded =
      'cls' in handler ? await loadClass(handler.cls) : await loadTargetRef(handler.fn);
    const onError = (error: unknown, info: ServerErrorInfo) => {
      send!({ $weftNetChild: 'error', error: encodeError(error), info } satisfies ChildMessage);
    };
    server = new TCPServer(
      ['', 0],
      loaded as never,
      { ...options, onError, [ADOPT]: handle } as never,
    );
    listening = handle;
    await server.listen();
    send!({ $weftNetChild: 'ready' } satisfies ChildMessage);
  } catch (error) {
    send!({ $weftNetChild: 'failed', error: encodeError(error) } satisfies ChildMessage, () =>
      process.exit(1),
    );
  }
}
