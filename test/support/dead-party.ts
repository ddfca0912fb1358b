// Parties that die holding something of this thread's — threads ended by terminate(),
// processes by SIGKILL — and the kill loops test/dead-party.test.ts runs small and
// scripts/dead-party-soak.ts runs large, replayable from a seed.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Event, Process, Queue, Thread } from '../../src/index.js';
import { type Got, holdAndHang, moveItems } from '../fixtures/dead-party-targets.js';

export type PartyKind = 'thread' | 'process';
export const PARTY_KINDS: readonly PartyKind[] = ['thread', 'process'];

/** Long enough never to be reached on a busy machine: a guard against a hang, not a timing. */
export const PATIENCE = { timeout: 60_000 } as const;

const living = new Set<Thread | Process>();

/** Starts `target(...args)` in a new thread or process, remembered until it is killed. */
export function startParty(kind: PartyKind, target: unknown, args: unknown[]): Thread | Process {
  const party =
    kind === 'thread'
      ? new Thread(target as never, { args })
      : new Process(target as never, { args });
  living.add(party);
  party.start();
  return party;
}

/** Kills `party` the hardest way its kind allows: `terminate()` a thread, SIGKILL a process. */
export async function killParty(party: Thread | Process): Promise<void> {
  living.delete(party);
  if (party instanceof Process) await party.kill();
  else await party.terminate();
}

/** Kills every party still alive: pass it to `after`. */
export async function killAll(): Promise<void> {
  await Promise.all([...living].map((party) => (party.isAlive() ? killParty(party) : undefined)));
  living.clear();
}

/** Starts a party that takes each `[held, times]` that many times over and hangs; resolves once it holds them. */
export async function holder(
  kind: PartyKind,
  ...holds: [held: object, times: number][]
): Promise<Thread | Process> {
  const ready = new Event();
  const party = startParty(kind, holdAndHang, [holds, ready]);
  assert.equal(await ready.wait(PATIENCE), true, `the ${kind} did not take what it was given`);
  return party;
}

/** A thread that holds `lock` (`times` over) until `die()` terminates it: the contracts' dying holder. */
export async function holdInThread(lock: object, times = 1): Promise<{ die(): Promise<void> }> {
  const party = await holder('thread', [lock, times]);
  return { die: () => killParty(party) };
}

/** Waits, turn by turn, until `check()` holds; fails after `ms` (a guard, not a timing). */
export async function eventually(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) assert.fail(`gave up waiting until ${what}`);
    await sleep(2);
  }
}

/** A small deterministic random source (mulberry32), so that a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface MoverRun {
  /** How many numbered items the producer puts. */
  items: number;
  /** How many movers run at once. */
  movers: number;
  /** How many movers are killed (each replaced by a new one) while the items flow. */
  kills: number;
  /** Longest pause (ms) before each kill, drawn at random. */
  maxPause: number;
  kinds: readonly PartyKind[];
  random: () => number;
}

/**
 * Movers (threads or processes) turn each number `n` of a queue into `{ got: n }` while the
 * producer puts numbers and movers are killed at random instants. Afterwards every number
 * must be in the queue exactly once, either as it was put or as moved: an item lost on its
 * way to a mover that died, or given back although it had arrived, breaks the count.
 * Returns how many items had been moved when the movers were stopped.
 */
export async function moverRun(run: MoverRun): Promise<number> {
  const queue = new Queue<number | Got>();
  const movers: (Thread | Process)[] = [];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(run.random() * list.length)]!;
  const startMover = async () => {
    const ready = new Event();
    movers.push(startParty(pick(run.kinds), moveItems, [queue, ready]));
    assert.equal(await ready.wait(PATIENCE), true, 'a mover did not start');
  };
  for (let i = 0; i < run.movers; i++) await startMover();
  let put = 0;
  const producer = (async () => {
    while (put < run.items) {
      queue.putNowait(put++);
      if (run.random() < 0.2) await sleep(1);
    }
  })();
  for (let k = 0; k < run.kills; k++) {
    await sleep(run.random() * run.maxPause);
    const victim = movers.splice(Math.floor(run.random() * movers.length), 1)[0]!;
    await killParty(victim);
    await startMover();
  }
  await producer;
  await Promise.all(movers.map(killParty));
  // An item given back arrives as the owner sees its mover's connection close: wait for every
  // item to be in the queue (within a guard; past it, the count below says what is missing).
  const deadline = performance.now() + 15_000;
  while (queue.qsize() < run.items && performance.now() < deadline) await sleep(10);
  const seen = new Map<number, string>();
  let moved = 0;
  while (!queue.empty()) {
    const item = queue.getNowait();
    const n = typeof item === 'number' ? item : item.got;
    const as = typeof item === 'number' ? 'as put' : 'moved';
    if (as === 'moved') moved++;
    assert.ok(!seen.has(n), `item ${n} is in the queue twice: ${seen.get(n)} and ${as}`);
    seen.set(n, as);
  }
  const lost = Array.from({ length: run.items }, (_, n) => n).filter((n) => !seen.has(n));
  assert.deepEqual(lost, [], 'items lost on their way to a mover that was killed');
  return moved;
}
