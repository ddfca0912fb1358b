/**
 * The worker side of a `Thread`: wait for the target, run it, send back its outcome, wait
 * for the threads started inside that keep the process alive, and end — the thread ends
 * when its target does, whatever timers or handles it left open.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { describe } from '../core/options.js';
import { decodeValues, encodeValue } from '../portable/args.js';
import { encodeError } from '../portable/error-codec.js';
import { loadTarget } from '../portable/load.js';
import { loadTargetRef } from '../portable/target-ref.js';
import { type DoneMessage, type RunMessage, threadMessageKind } from './protocol.js';
import { currentThread, whenChildrenDone } from './registry.js';

const port = parentPort!;
let running = false;
let finished = false;

// An error thrown where the target cannot catch it (a timer, an unhandled rejection) ends
// the thread with that error, as an uncaught exception ends a Python thread.
process.on('uncaughtException', (error) => {
  if (finished) {
    console.error(`Exception in thread ${currentThread().name} after its target ended:`, error);
    return;
  }
  void finish({ $weftThread: 'done', ok: false, error: encodeError(error) }, 1);
});

// The listener also keeps the thread alive while its target waits for something only
// another thread can give it.
port.on('message', (message: unknown) => {
  if (threadMessageKind(message) !== 'run' || running) return;
  running = true;
  void run(message as RunMessage);
});

async function run({ target, args }: RunMessage): Promise<void> {
  let value: unknown;
  try {
    const fn = await loadTargetRef(target, loadTarget);
    value = await fn(...decodeValues(args));
  } catch (error) {
    return finish({ $weftThread: 'done', ok: false, error: encodeError(error) }, 1);
  }
  let encoded: ReturnType<typeof encodeValue>;
  try {
    encoded = encodeValue(value, `thread ${currentThread().name}: the target's return value`);
  } catch (error) {
    return finish({ $weftThread: 'done', ok: false, error: encodeError(error) }, 1);
  }
  return finish({ $weftThread: 'done', ok: true, value: encoded.value }, 0, encoded.transfer);
}

async function finish(
  done: DoneMessage,
  code: number,
  transfer: Parameters<typeof port.postMessage>[1] = [],
): Promise<void> {
  if (finished) return;
  finished = true;
  try {
    port.postMessage(done, transfer);
  } catch (error) {
    // What the target threw cannot be cloned (an object holding a function, say).
    const thrown = done.ok ? done.value : done.error;
    const refused = new TypeError(
      `thread ${currentThread().name}: the target threw ${describe(thrown)}, which cannot cross back to its parent`,
      { cause: error },
    );
    port.postMessage({ $weftThread: 'done', ok: false, error: encodeError(refused) });
  }
  await whenChildrenDone();
  process.exit(code);
}
