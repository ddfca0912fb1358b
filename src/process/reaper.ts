/**
 * The parent side of the orphan guard (the child side is orphan-guard.ts): every weft
 * child is forked here, and is registered with this thread's *reaper* — one small process
 * per parent, started with the first child (so it boots beside it), that SIGKILLs the
 * children still registered once its parent is gone.
 *
 * The reaper reads its registrations from a pipe whose other end only this thread holds.
 * When this thread ends, by any cause (SIGKILL included), the kernel closes that end: the
 * reaper reads end-of-file, gives idle children a moment to exit by themselves (their IPC
 * channel closed too), then kills those still running — a child busy with CPU work, which
 * never turns its event loop to see its channel close, included. A child that starts
 * processes has a reaper of its own, so grandchildren follow. A registration carries the
 * child's start time (from `/proc/<pid>/stat`, read before the child can be reaped), and
 * the reaper kills a pid only while it still has that start time: a pid reused by another
 * process after the child ended is never killed.
 *
 * The reaper is a POSIX shell reading a pipe: it costs a millisecond to start and nothing
 * while it waits, never keeps this process alive (unref'd), and exits when its parent
 * does. It runs in a session of its own, so a Ctrl-C meant for the program does not end
 * it before the program. Where a process cannot read another's start time (no `/proc`),
 * or no reaper can be started, the child watches its parent itself (orphan-guard.ts).
 * @module
 */
import { type ChildProcess, type ForkOptions, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { childFlags } from './child-flags.js';
import { CHILD_ENV, type ParentWatch } from './protocol.js';

/**
 * The reaper. Lines on stdin: `+ <pid> <start time>` registers a child, `- <pid>` forgets
 * it. At end-of-file: a grace for idle children, then SIGKILL for each registered child
 * whose start time (field 22 of /proc/<pid>/stat, after the parenthesised name) still matches.
 */
export const REAPER_SCRIPT = `# weft's reaper: kills the parent's children once the parent is gone
set -f
kids=' '
while read -r op pid start; do
  case $op in
    +) kids="$kids$pid:$start " ;;
    -) case $kids in *" $pid:"*) rest=\${kids#* "$pid":}; kids="\${kids%% "$pid":*} \${rest#* }" ;; esac ;;
  esac
done
sleep "$1" 2>/dev/null || sleep 1
for kid in $kids; do
  pid=\${kid%%:*}
  { read -r stat < "/proc/$pid/stat"; } 2>/dev/null || continue
  set -- \${stat##*) }
  shift 19
  [ "$1" = "\${kid#*:}" ] && kill -9 "$pid" 2>/dev/null
done
exit 0`;

/** How long idle children get to exit by themselves once the parent is gone (s). */
const GRACE_S = '0.1';
/** Reapers that may die under this thread (killed by someone) before children watch themselves. */
const REAPER_DEATHS_ALLOWED = 3;

/** The registered children still running: pid → start time. */
const registered = new Map<number, string>();
let reaper: ChildProcess | undefined;
let reaperDeaths = 0;
/** Whether this system lets the reaper check a pid's start time. */
let startTimes: boolean | undefined;

/**
 * `fork(entry, [], options)` for a weft child (V8 serialization on its IPC channel): the
 * child is registered with this thread's reaper, or, when there can be none, told to
 * watch its parent itself.
 */
export function forkWeftChild(entry: URL, options: ForkOptions): ChildProcess {
  const watch: ParentWatch = runningReaper() === undefined ? 'self' : 'reaper';
  const child = fork(entry, [], {
    // The parent's flags, without those that say what to run (`-e`): see child-flags.ts.
    execArgv: childFlags(),
    ...options,
    serialization: 'advanced',
    env: { ...(options.env ?? process.env), [CHILD_ENV]: watch },
  });
  if (watch === 'reaper' && child.pid !== undefined) register(child, child.pid);
  return child;
}

/** @internal The pid of this thread's reaper, if one runs (for tests). */
export function reaperPid(): number | undefined {
  return reaper?.pid;
}

/** @internal Children forked from now on watch their parent themselves, as where no reaper can start (for tests). */
export function forkWithoutReaper(): void {
  reaperDeaths = REAPER_DEATHS_ALLOWED;
}

function register(child: ChildProcess, pid: number): void {
  // Read now: the child cannot be reaped (and its pid reused) before this turn ends.
  const start = startTimeOf(pid);
  if (start === undefined) return;
  registered.set(pid, start);
  tell(`+ ${pid} ${start}\n`);
  child.once('exit', () => {
    registered.delete(pid);
    tell(`- ${pid}\n`);
  });
}

function tell(line: string): void {
  // A pipe write small enough goes out at once (libuv writes before it returns), so a
  // parent killed right after a fork has registered the child already.
  reaper?.stdin?.write(line);
}

/** The reaper, started now if there is none; `undefined` when there can be none. */
function runningReaper(): ChildProcess | undefined {
  if (reaper !== undefined) return reaper;
  startTimes ??= process.platform === 'linux' && startTimeOf(process.pid) !== undefined;
  if (!startTimes || reaperDeaths >= REAPER_DEATHS_ALLOWED) return undefined;
  let started: ChildProcess;
  try {
    started = spawn('/bin/sh', ['-c', REAPER_SCRIPT, 'weft-reaper', GRACE_S], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
  } catch {
    return undefined;
  }
  // No pid: it could not be started (its 'error' follows).
  started.on('error', ignore);
  if (started.pid === undefined) {
    reaperDeaths = REAPER_DEATHS_ALLOWED;
    return undefined;
  }
  started.stdin!.on('error', ignore);
  // Neither the reaper nor the pipe to it keeps this process alive.
  started.unref();
  (started.stdin as unknown as { unref(): void }).unref();
  started.once('exit', () => reaperDied(started));
  reaper = started;
  // A replacement (the last reaper was killed) learns the children still running.
  for (const [pid, start] of registered) tell(`+ ${pid} ${start}\n`);
  return started;
}

/** The reaper ended while this thread runs (someone killed it): children still running get a new one. */
function reaperDied(dead: ChildProcess): void {
  if (reaper !== dead) return;
  reaper = undefined;
  reaperDeaths++;
  if (registered.size > 0) runningReaper();
}

/** Field 22 of /proc/<pid>/stat (the start time, in clock ticks since boot), or `undefined`. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields 3 on follow the name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function ignore(): void {}
