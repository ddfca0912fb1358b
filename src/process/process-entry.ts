/**
 * The child side of a `Process`: wait for the target, run it, send back its outcome, wait
 * for its own non-daemon children (as a Python process does at exit), flush its output and
 * exit (child-exit.ts) — the process ends when its target does, whatever timers or handles
 * it left open.
 * @module
 */
import { endOnUncaught, type Outcome, runTarget, runTargetEndHooks } from '../runner/run-target.js';
import { canEndFast, endChild } from './child-exit.js';
import { exitWithParent, whenGuarded } from './orphan-guard.js';
import { type DoneMessage, processMessageKind, READY, type RunMessage } from './protocol.js';
import { activeChildren, becomeChild, currentProcess } from './registry.js';

const send = process.send?.bind(process);
if (send === undefined) {
  throw new Error('process-entry is the entry of a weft child process, not a module to run');
}
exitWithParent();

let running = false;
let finished = false;

endOnUncaught(
  async () => `process ${currentProcess().name}`,
  () => finished,
  (outcome) => void finish(outcome),
);

process.on('message', (message: unknown) => {
  const kind = processMessageKind(message);
  // A spare (warm start) says it is ready once it is guarded and has warmed up.
  if (kind === 'hello') void Promise.all([whenGuarded(), warmUp()]).then(() => send(READY));
  if (kind !== 'run' || running) return;
  running = true;
  void run(message as RunMessage);
});

async function run({ target, args, name, daemon, parent }: RunMessage): Promise<void> {
  becomeChild(name, daemon, parent);
  return finish(await runTarget(target, args, async () => `process ${name}`, 'process', loadKinds));
}

/** A module that only exports a function that returns `true`, loaded without the file system. */
const WARM_UP_TARGET = {
  module: 'data:text/javascript,export function warmUp() { return true; }',
  name: 'warmUp',
};

/**
 * A spare runs an empty target and checks how it would end, ahead: the loader's first use
 * and the first run of this code (compiled on first call) are then off the path of the
 * first real start.
 */
async function warmUp(): Promise<void> {
  await runTarget(WARM_UP_TARGET, [], async () => 'a spare process', 'process', loadKinds);
  canEndFast();
}

/** Every kind and transport, loaded only once a handle arrives (plain targets start faster). */
function loadKinds(): Promise<unknown> {
  return import('../kinds.js');
}

async function finish(outcome: Outcome): Promise<void> {
  if (finished) return;
  finished = true;
  // Items this target got from queues elsewhere are its own: say so before it ends.
  runTargetEndHooks();
  let code = outcome.ok ? 0 : 1;
  const done: DoneMessage = outcome.ok
    ? { $weftProcess: 'done', ok: true, value: outcome.value }
    : { $weftProcess: 'done', ok: false, error: outcome.error };
  await new Promise<void>((resolve) => {
    const sent = (error: Error | null) => {
      if (error === null || done.ok === false) return resolve();
      // What the target returned cannot be serialized after all: say so instead.
      code = 1;
      void Promise.all([import('../core/options.js'), import('../codec/error-codec.js')]).then(
        ([{ describe }, { encodeError }]) => {
          const refused = new TypeError(
            `process ${currentProcess().name}: the target returned ${describe(done.value)}, which cannot cross back to its parent`,
            { cause: error },
          );
          trySend({ $weftProcess: 'done', ok: false, error: encodeError(refused) }, () =>
            resolve(),
          );
        },
      );
    };
    trySend(done, sent);
  });
  await Promise.all(
    activeChildren()
      .filter((child) => !child.daemon)
      .map((child) => (child as { join?: () => Promise<unknown> }).join?.()),
  );
  await endChild(code, () => `process ${currentProcess().name}`);
}

function trySend(message: DoneMessage, callback: (error: Error | null) => void): void {
  try {
    send!(message, undefined, {}, callback);
  } catch (error) {
    callback(error as Error);
  }
}
