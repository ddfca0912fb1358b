// Python's multiprocessing.Manager: a dict, a list and a namespace that live in one place (the
// manager, here in the main process) and are shared with child processes through handles.
// Every call on a handle is one atomic step where the object lives, so ten processes appending
// 100 items each leave exactly 1000. A child imports this module to find its function, so the
// main program sits under `if (isMainModule(import.meta))` (Python's `if __name__ == '__main__'`).
import {
  type HandleOf,
  isMainModule,
  type Lock,
  Manager,
  Process,
  portable,
  type SharedDict,
  type SharedList,
  type SharedNamespace,
} from 'weft';

/** Each worker appends 100 items to the shared list and reports in the shared dict. */
export const worker = portable(
  import.meta.url,
  async function worker(
    id: number,
    items: SharedList<string>,
    report: SharedDict<string, number>,
  ): Promise<void> {
    for (let i = 0; i < 100; i++) await items.append(`worker ${id} item ${i}`);
    await report.set(`worker ${id}`, 100);
    await report.increment('appended', 100); // one atomic step: no update is lost
  },
);

/**
 * get-then-set is a read-modify-write: two workers could read the same balance and one
 * deposit would vanish. A manager lock makes it safe, as in Python. (The lock is a Lock when
 * the function is called here, a handle on it in a worker: `guard()` works on both.)
 */
export const deposit = portable(
  import.meta.url,
  async function deposit(
    account: SharedNamespace<{ balance: number }>,
    lock: Lock | HandleOf<Lock>,
    times: number,
  ): Promise<void> {
    for (let i = 0; i < times; i++) {
      await using _held = await lock.guard();
      const balance = await account.get('balance');
      await account.set('balance', balance + 10);
    }
  },
);

async function runAll(threads: { start(): void; join(): Promise<boolean> }[]): Promise<void> {
  for (const thread of threads) thread.start();
  for (const thread of threads) await thread.join();
}

if (isMainModule(import.meta)) {
  const manager = new Manager({ name: 'example manager' });
  const items = manager.list<string>();
  const report = manager.dict<string, number>();

  // Ten workers, one list, one dict.
  await runAll(
    Array.from({ length: 10 }, (_, id) => new Process(worker, { args: [id, items, report] })),
  );
  console.log(`items in the list: ${await items.length()}`);
  console.log(`appended, as counted by the workers: ${await report.get('appended')}`);
  console.log(
    `workers that reported: ${(await report.keys()).filter((k) => k !== 'appended').length}`,
  );
  const fromWorker7 = (await items.toArray()).filter((item) => item.startsWith('worker 7 '));
  console.log(`worker 7's items, in its order: ${fromWorker7[0]} ... ${fromWorker7.at(-1)}`);

  // A read-modify-write made safe with the manager's lock.
  const account = manager.namespace({ balance: 0 });
  const lock = manager.lock();
  await runAll([1, 2, 3].map(() => new Process(deposit, { args: [account, lock, 20] })));
  console.log(`balance after 3 x 20 deposits of 10: ${await account.get('balance')}`);

  // Values are copies, as with Python's proxies: change one, then set it again.
  const settings = manager.dict({ db: { retries: 1 } });
  const db = (await settings.get('db'))!;
  db.retries = 5;
  console.log(`changed a copy: ${(await settings.get('db'))!.retries}`);
  await settings.set('db', db);
  console.log(`after set: ${(await settings.get('db'))!.retries}`);

  // Python's list indexing, negative indexes included; outside the list: RangeError (IndexError).
  const letters = manager.list(['a', 'b', 'c']);
  await letters.insert(0, 'z');
  console.log(`letters: ${await letters.toArray()}; [-1]: ${await letters.get(-1)}`);
  try {
    await letters.get(4);
  } catch (err) {
    console.log(`${(err as Error).name}: ${(err as Error).message}`);
  }

  // Shutdown ends the manager: every later call, here or in a worker, fails and says why.
  manager.shutdown();
  try {
    await report.get('appended');
  } catch (err) {
    console.log(`${(err as Error).name}: ${(err as Error).message}`);
  }
}
