// Child processes for the Redis-scope tests (test/fixtures/redis-parties.ts): each reports
// to the parent over IPC; `killChildren` (pass it to `after`) ends any still running.
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const PARTIES = fileURLToPath(new URL('../fixtures/redis-parties.ts', import.meta.url));
const living = new Set<ChildProcess>();

/** A child party and the messages it sent, in order. */
export interface Child {
  readonly process: ChildProcess;
  readonly messages: Record<string, unknown>[];
  /** Resolves with the first message for which `match` holds (the ones already sent count). */
  next(match: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** SIGKILL, and waits until it is gone. */
  kill(): Promise<void>;
}

/** Starts `redis-parties.ts` with these arguments. */
export function startChild(...args: (string | number)[]): Child {
  const child = fork(PARTIES, args.map(String), {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  living.add(child);
  const messages: Record<string, unknown>[] = [];
  child.on('message', (message) => messages.push(message as Record<string, unknown>));
  const exited = once(child, 'exit');
  return {
    process: child,
    messages,
    async next(match) {
      for (let seen = 0; ; ) {
        const found = messages.slice(seen).find(match);
        if (found) return found;
        seen = messages.length;
        const got = await Promise.race([once(child, 'message'), exited.then(() => undefined)]);
        if (got === undefined && !messages.slice(seen).some(match)) {
          assert.fail(
            `the child (${args.join(' ')}) exited with ${child.exitCode ?? child.signalCode}`,
          );
        }
      }
    },
    async kill() {
      living.delete(child);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Kills every child still running. */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...living].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }),
  );
  living.clear();
}
