/**
 * Forking a weft child: the child entry with V8 serialization on its IPC channel, the
 * parent's flags (which carry a TypeScript loader, if any), guarded so that it never
 * outlives its parent (reaper.ts). `Process.start()` forks one, or takes a spare forked
 * ahead (spare-processes.ts).
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { childFlags } from './child-flags.js';
import { forkWeftChild } from './reaper.js';

/** The child's entry: .ts when weft runs from its sources (under tsx), .js from dist/. */
const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './process-entry.ts' : './process-entry.js',
  import.meta.url,
);

/** Forks a weft child with `env` (default: this process's) and `execArgv` added to this process's flags. */
export function forkChild(env: NodeJS.ProcessEnv | undefined, execArgv: string[]): ChildProcess {
  return forkWeftChild(ENTRY, {
    env,
    execArgv: [...childFlags(), ...execArgv],
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
}
