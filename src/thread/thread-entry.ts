/**
 * The worker side of a `Thread`: wait for the target, run it, send back its outcome, wait
 * for the threads started inside that keep the process alive, and end — the thread ends
 * when its target does, whatever timers or handles it left open.
 *
 * It loads only what an empty target needs (the thread registry, the codec and the kinds
 * load when something uses them), so that a thread costs little more than a bare Worker.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { warmUpImport } from '../portable/bootstrap.js';
import { endOnUncaught, type Outcome, runTarget, runTargetEndHooks } from '../runner/run-target.js';
import {
  type DoneMessage,
  READY,
  REGISTRY_STATE,
  type RunMessage,
  threadMessageKind,
} from './protocol.js';

if (parentPort === null) {
  throw new Error('thread-entry is the entry of a weft thread, not a module to import');
}
const port = parentPort;
let running = false;
let finished = false;

endOnUncaught(
  label,
  () => finished,
  (outcome) => void finish(outcome),
);

// The listener also keeps the thread alive while its target waits for something only
// another thread can give it.
port.on('message', (message: unknown) => {
  const kind = threadMessageKind(message);
  if (kind === 'hello') void warmUp().then(() => port.postMessage(READY));
  if (kind !== 'run' || running) return;
  running = true;
  void run(message as RunMessage);
});

async function run({ target, args, boot }: RunMessage): Promise<void> {
  // A spare, booted before it had a name, learns who it is.
  if (boot !== undefined) (await registry()).becomeThread(boot);
  return finish(await runTarget(target, args, label, 'thread', loadKinds));
}

/** `thread <its name now>`, for messages. */
async function label(): Promise<string> {
  return `thread ${(await registry()).currentThread().name}`;
}

function registry(): Promise<typeof import('./registry.js')> {
  return import('./registry.js');
}

/** Every kind and transport, loaded only once a handle arrives (plain targets start faster). */
function loadKinds(): Promise<unknown> {
  return import('../kinds.js');
}

/**
 * A spare (warm start) loads ahead what its target will need, and runs the module loader
 * once, so that the start that takes it pays for neither.
 */
function warmUp(): Promise<unknown> {
  return Promise.all([registry(), warmUpImport()]);
}

async function finish(outcome: Outcome): Promise<void> {
  if (finished) return;
  finished = true;
  // Items this target got from queues elsewhere are its own: say so before it ends.
  runTargetEndHooks();
  const done: DoneMessage = outcome.ok
    ? { $weftThread: 'done', ok: true, value: outcome.value }
    : { $weftThread: 'done', ok: false, error: outcome.error };
  try {
    port.postMessage(done, outcome.ok ? outcome.transfer : []);
  } catch (error) {
    // What the target threw cannot be cloned (an object holding a function, say).
    const [{ describe }, { encodeError }] = await Promise.all([
      import('../core/options.js'),
      import('../codec/error-codec.js'),
    ]);
    const thrown = done.ok ? done.value : done.error;
    const refused = new TypeError(
      `${await label()}: the target threw ${describe(thrown)}, which cannot cross back to its parent`,
      { cause: error },
    );
    port.postMessage({ $weftThread: 'done', ok: false, error: encodeError(refused) });
  }
  // Only a thread that used the registry (its state exists) can have started threads.
  if (REGISTRY_STATE in globalThis) await (await registry()).whenChildrenDone();
  process.exit(outcome.ok ? 0 : 1);
}
