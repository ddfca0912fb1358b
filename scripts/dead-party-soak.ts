/**
 * The soak of test/dead-party.test.ts: many more kills, at random instants (also while a
 * party is still taking what it will hold), of threads and processes holding a Lock, an RLock
 * several levels deep or Semaphore permits, and of movers with queue items on their way.
 * Afterwards every lock can be taken, every permit is back, and every item is in the queue
 * exactly once. Replayable: the seed is printed, and `WEFT_SOAK_SEED` sets it.
 *
 * Usage: `npm run build && WEFT_SOAK_SEED=123 WEFT_SOAK_ROUNDS=40 node --import tsx scripts/dead-party-soak.ts`
 * @module
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Event, Lock, RLock, Semaphore, spawn } from '../src/index.js';
import { holdAndHang } from '../test/fixtures/dead-party-targets.js';
import {
  eventually,
  killAll,
  killParty,
  moverRun,
  PARTY_KINDS,
  PATIENCE,
  seededRandom,
  startParty,
} from '../test/support/dead-party.js';

const seed = Number(process.env.WEFT_SOAK_SEED ?? Math.floor(Math.random() * 1_000_000));
const rounds = Number(process.env.WEFT_SOAK_ROUNDS ?? 20);
const random = seededRandom(seed);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** Kills a party at a random instant of its taking and holding `held` `times` over. */
async function killWhileTaking(held: object, times: number): Promise<string> {
  const kind = pick(PARTY_KINDS);
  const party = startParty(kind, holdAndHang, [[[held, times]], new Event()]);
  await sleep(random() * 400);
  await killParty(party);
  return kind;
}

async function lockRound(): Promise<string> {
  const lock = new Lock();
  const kind = await killWhileTaking(lock, 1);
  assert.equal(await lock.acquire(PATIENCE), true, 'the lock came back');
  const abandoned = lock.abandoned;
  lock.release();
  assert.equal(lock.abandoned, false);
  return `Lock, ${kind}${abandoned ? ', abandoned' : ''}`;
}

async function rlockRound(): Promise<string> {
  const rlock = new RLock();
  const depth = 1 + Math.floor(random() * 4);
  const kind = await killWhileTaking(rlock, depth);
  await spawn(async () => {
    assert.equal(await rlock.acquire(PATIENCE), true, 'the RLock came back');
    rlock.release();
    assert.equal(rlock.locked(), false, 'no level of the dead owner is left');
  });
  return `RLock ${depth} deep, ${kind}`;
}

async function semaphoreRound(): Promise<string> {
  const sem = new Semaphore(4);
  const permits = 1 + Math.floor(random() * 4);
  const kind = await killWhileTaking(sem, permits);
  await eventually(() => sem.value === 4, 'every permit came back');
  return `Semaphore ${permits} permits, ${kind}`;
}

async function moverRound(): Promise<string> {
  const moved = await moverRun({
    items: 2000,
    movers: 4,
    kills: 12,
    maxPause: 80,
    kinds: PARTY_KINDS,
    random,
  });
  return `movers: ${moved} of 2000 items moved, 12 kills`;
}

const scenarios = [lockRound, rlockRound, semaphoreRound, moverRound];

console.log(`dead-party soak: WEFT_SOAK_SEED=${seed} WEFT_SOAK_ROUNDS=${rounds}`);
const started = performance.now();
try {
  for (let round = 1; round <= rounds; round++) {
    console.log(`${round}/${rounds} ${await pick(scenarios)()}`);
  }
  console.log(`passed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`failed; replay with WEFT_SOAK_SEED=${seed} WEFT_SOAK_ROUNDS=${rounds}`);
  throw error;
} finally {
  await killAll();
}
