/**
 * `currentProcess()`, `parentProcess()`, `activeChildren()`, `cpuCount()` — Python's
 * `multiprocessing` module functions, in the main process and in every weft child.
 * @module
 */
import { cpus } from 'node:os';

/** What every process object offers: a `Process`, this process, or the parent. */
export interface ProcessInfo {
  /** The process's name: `MainProcess` for a program's first process, else given at creation. */
  readonly name: string;
  /** The OS process id (`undefined` for a `Process` not yet started). */
  readonly pid: number | undefined;
  /** Whether the process is a daemon (terminated when its parent exits). */
  readonly daemon: boolean;
  /** Whether it has started and not yet ended (for the parent: whether it still runs). */
  isAlive(): boolean;
}

/** A started `Process`, as the registry tracks it. */
export interface ChildProcessEntry extends ProcessInfo {
  /** Terminates it now (the parent is exiting and it is a daemon). */
  terminateAtExit(): void;
}

interface Identity {
  name: string;
  daemon: boolean;
  parent: { pid: number; name: string } | undefined;
}

const self: Identity = { name: 'MainProcess', daemon: false, parent: undefined };
const children = new Set<ChildProcessEntry>();
let exitHook = false;

/** @internal A weft child learns who it is from its run message. */
export function becomeChild(name: string, daemon: boolean, parent: Identity['parent']): void {
  self.name = name;
  self.daemon = daemon;
  self.parent = parent;
}

/** @internal A child was started; daemon children are terminated when this process exits. */
export function trackChild(child: ChildProcessEntry): void {
  children.add(child);
  if (exitHook) return;
  exitHook = true;
  // Python terminates daemonic children at exit; non-daemon ones kept this process alive until they ended.
  process.on('exit', () => {
    for (const entry of children) if (entry.daemon) entry.terminateAtExit();
  });
}

/** @internal A child ended. */
export function untrackChild(child: ChildProcessEntry): void {
  children.delete(child);
}

const current: ProcessInfo = {
  get name() {
    return self.name;
  },
  pid: process.pid,
  get daemon() {
    return self.daemon;
  },
  isAlive: () => true,
};

/**
 * This process: `name` is `MainProcess` in a program's first process, the `Process`'s
 * name in a child weft started.
 *
 * @example
 * ```ts
 * console.log(currentProcess().name, currentProcess().pid);
 * ```
 */
export function currentProcess(): ProcessInfo {
  return current;
}

/** The process that started this one through weft, or `undefined` in the main process. */
export function parentProcess(): ProcessInfo | undefined {
  const parent = self.parent;
  if (parent === undefined) return undefined;
  return {
    name: parent.name,
    pid: parent.pid,
    daemon: false,
    isAlive: () => isRunning(parent.pid),
  };
}

/** The children this process started that are still running (Python's `active_children()`). */
export function activeChildren(): ProcessInfo[] {
  return [...children].filter((child) => child.isAlive());
}

/** How many CPUs the machine has (Python's `multiprocessing.cpu_count()`). */
export function cpuCount(): number {
  return cpus().length || 1;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
