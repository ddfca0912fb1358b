/**
 * The worker side of a `Thread`: wait for the target, run it, send back its outcome, wait
 * for the threads started inside that keep the process alive, and end — the thread ends
 * when its target does, whatever timers or handles it left open.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { encodeError } from '../codec/error-codec.js';
import { describe } from '../core/options.js';
import { endOnUncaught, type Outcome, runTarget } from '../runner/run-target.js';
import { type DoneMessage, READY, type RunMessage, threadMessageKind } from './protocol.js';
import { becomeThread, currentThread, whenChildrenDone } from './registry.js';

if (parentPort === null) {
  throw new Error('thread-entry is the entry of a weft thread, not a module to import');
}
const port = parentPort;
let running = false;
let finished = false;

endOnUncaught(
  () => `thread ${currentThread().name}`,
  () => finished,
  (outcome) => void finish(outcome),
);

// The listener also keeps the thread alive while its target waits for something only
// another thread can give it.
port.on('message', (message: unknown) => {
  const kind = threadMessageKind(message);
  if (kind === 'hello') port.postMessage(READY);
  if (kind !== 'run' || running) return;
  running = true;
  void run(message as RunMessage);
});

async function run({ target, args, boot }: RunMessage): Promise<void> {
  if (boot !== undefined) becomeThread(boot); // a spare, booted before it had a name
  const label = `thread ${currentThread().name}`;
  return finish(await runTarget(target, args, label, 'thread', loadKinds));
}

/** Every kind and transport, loaded only once a handle arrives (plain targets start faster). */
function loadKinds(): Promise<unknown> {
  return import('../kinds.js');
}

async function finish(outcome: Outcome): Promise<void> {
  if (finished) return;
  finished = true;
  const done: DoneMessage = outcome.ok
    ? { $weftThread: 'done', ok: true, value: outcome.value }
    : { $weftThread: 'done', ok: false, error: outcome.error };
  try {
    port.postMessage(done, outcome.ok ? outcome.transfer : []);
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
  process.exit(outcome.ok ? 0 : 1);
}
