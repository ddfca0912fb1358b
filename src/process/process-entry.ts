/**
 * The child side of a `Process`: wait for the target, run it, send back its outcome, wait
 * for its own non-daemon children (as a Python process does at exit), and exit — the
 * process ends when its target does, whatever timers or handles it left open.
 * @module
 */
import { describe } from '../core/options.js';
import { decodeValues, encodeValue } from '../portable/args.js';
import { encodeError } from '../portable/error-codec.js';
import { loadTarget } from '../portable/load.js';
import { loadTargetRef } from '../portable/target-ref.js';
import { exitWithParent } from './orphan-guard.js';
import { type DoneMessage, processMessageKind, type RunMessage } from './protocol.js';
import { activeChildren, becomeChild, currentProcess } from './registry.js';

const send = process.send?.bind(process);
if (send === undefined) {
  throw new Error('process-entry is the entry of a weft child process, not a module to run');
}
exitWithParent();

let running = false;
let finished = false;

// An error thrown where the target cannot catch it (a timer, an unhandled rejection) ends
// the process with that error, as an uncaught exception ends a Python process.
process.on('uncaughtException', (error) => {
  if (finished) {
    console.error(`Exception in process ${currentProcess().name} after its target ended:`, error);
    return;
  }
  void finish({ $weftProcess: 'done', ok: false, error: encodeError(error) }, 1);
});

process.on('message', (message: unknown) => {
  if (processMessageKind(message) !== 'run' || running) return;
  running = true;
  void run(message as RunMessage);
});

async function run({ target, args, name, daemon, parent }: RunMessage): Promise<void> {
  becomeChild(name, daemon, parent);
  let value: unknown;
  try {
    const fn = await loadTargetRef(target, loadTarget);
    value = await fn(...decodeValues(args));
  } catch (error) {
    return finish({ $weftProcess: 'done', ok: false, error: encodeError(error) }, 1);
  }
  let encoded: ReturnType<typeof encodeValue>;
  try {
    encoded = encodeValue(value, `process ${name}: the target's return value`, 'process');
  } catch (error) {
    return finish({ $weftProcess: 'done', ok: false, error: encodeError(error) }, 1);
  }
  return finish({ $weftProcess: 'done', ok: true, value: encoded.value }, 0);
}

async function finish(done: DoneMessage, code: number): Promise<void> {
  if (finished) return;
  finished = true;
  await new Promise<void>((resolve) => {
    const sent = (error: Error | null) => {
      if (error === null || done.ok === false) return resolve();
      // What the target returned cannot be serialized after all: say so instead.
      const refused = new TypeError(
        `process ${currentProcess().name}: the target returned ${describe(done.value)}, which cannot cross back to its parent`,
        { cause: error },
      );
      code = 1;
      trySend({ $weftProcess: 'done', ok: false, error: encodeError(refused) }, () => resolve());
    };
    trySend(done, sent);
  });
  await Promise.all(
    activeChildren()
      .filter((child) => !child.daemon)
      .map((child) => (child as { join?: () => Promise<unknown> }).join?.()),
  );
  process.exit(code);
}

function trySend(message: DoneMessage, callback: (error: Error | null) => void): void {
  try {
    send!(message, undefined, {}, callback);
  } catch (error) {
    callback(error as Error);
  }
}
