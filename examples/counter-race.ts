// The textbook counter race, Python's `Value('i', 0)` incremented by several workers: four
// threads add 1 to a SharedValue 2,500 times each, without its lock, then to another with it.
// `counter.value += 1` is a read and then a write: a thread that reads, and writes back
// after another thread wrote, undoes that write. JavaScript runs `+= 1` so fast that the
// two rarely meet, so the racy version here pauses between its read and its write, as a
// real computation would; how many updates it loses changes from run to run.
import { Barrier, type HandleOf, isMainModule, portable, SharedValue, Thread } from 'weft';

const THREADS = 4;
const TIMES = 2_500;

/** Sleeps this thread a moment (a worker thread may block; the main one may not). */
const nap = new Int32Array(new SharedArrayBuffer(4));
function pause(): void {
  Atomics.wait(nap, 0, 0, 0.005);
}

export const count = portable(
  import.meta.url,
  async function count(
    racy: SharedValue<'i'>,
    locked: SharedValue<'i'>,
    start: HandleOf<Barrier>,
  ): Promise<void> {
    await start.wait(); // all four threads run at the same time

    for (let i = 0; i < TIMES; i++) {
      const seen = racy.value;
      pause(); // another thread may write here...
      racy.value = seen + 1; // ...and this write undoes it
    }

    for (let i = 0; i < TIMES; i++) {
      using _ = await locked.getLock().guard(); // no other thread between the read and the write
      locked.value += 1;
    }
  },
);

if (isMainModule(import.meta)) {
  const racy = new SharedValue('i', 0);
  const locked = new SharedValue('i', 0);
  const start = new Barrier(THREADS);
  const threads = Array.from({ length: THREADS }, () => {
    const thread = new Thread(count, { args: [racy, locked, start] });
    thread.start();
    return thread;
  });
  for (const thread of threads) await thread.join();

  const total = THREADS * TIMES;
  // The number lost differs from run to run; that some were lost is what the race shows.
  console.log(
    `without the lock: ${racy.value < total ? 'lost some' : 'lost none'} of ${total} updates`,
  );
  console.log(`with the lock: ${locked.value} of ${total}`);
}
