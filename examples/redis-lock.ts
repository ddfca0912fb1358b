// RedisLock across machines: three workers (each its own RedisLock object, as if on three
// machines) add 5 to a counter in a store; each write carries the hold's fencing token, and
// the store refuses a token older than one it has seen. Then a holder crashes: the next
// holder learns it from `abandoned`. Runs against WEFT_REDIS_URL, else redis://127.0.0.1:6379.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { RedisLock } from 'weft/redis';

/** A store that keeps the highest fencing token it has seen and refuses older ones. */
class FencedStore {
  #values = new Map<string, number>();
  #highest = 0;
  write(key: string, value: number, token: number): void {
    if (token < this.#highest)
      throw new Error(`refused: token ${token} is older than ${this.#highest}`);
    this.#highest = token;
    this.#values.set(key, value);
  }
  read(key: string): number {
    return this.#values.get(key) ?? 0;
  }
}

const store = new FencedStore();
const name = `example-stock-${process.pid}`;
const tokens: number[] = [];

async function worker(): Promise<void> {
  await using lock = new RedisLock(name, { lease: 2_000 });
  for (let i = 0; i < 5; i++) {
    await using _held = await lock.guard();
    const seen = store.read('counter');
    await sleep(1); // another worker would read the same value here, without the lock
    tokens.push(lock.fencingToken!);
    store.write('counter', seen + 1, lock.fencingToken!);
  }
}

await Promise.all([worker(), worker(), worker()]);
console.log(`counter: ${store.read('counter')}`);
console.log(
  `fencing tokens only grew: ${tokens.every((token, i) => i === 0 || token > tokens[i - 1]!)}`,
);
try {
  store.write('counter', 0, tokens[0]!); // a holder that stalled past its lease comes back
} catch (error) {
  console.log(`a write with the first hold's token: ${(error as Error).message.split(':')[0]}`);
}

// A holder that crashes: its connection goes, its lease (300 ms) is no longer renewed.
const crashing = new Redis(process.env.WEFT_REDIS_URL ?? 'redis://127.0.0.1:6379');
const doomed = new RedisLock(name, { redis: crashing, lease: 300 });
await doomed.acquire();
crashing.disconnect();
await using next = new RedisLock(name);
await next.acquire({ timeout: 10_000 });
console.log(`the next holder sees abandoned: ${next.abandoned}`);
// ... repair what the lock guards, then:
await next.release();
console.log(`after its release, abandoned: ${next.abandoned}`);
await doomed.close();
