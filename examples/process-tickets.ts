// The ticket-buying race, fixed with a Lock. Four processes sell from one shared count of
// tickets (a Manager namespace, living in the main process). Selling is read-modify-write:
// read the count, check it, write it back one lower. Without the lock two sellers could read
// the same count and sell the same ticket twice; holding the lock across the three steps
// makes each sale one step, so exactly 100 are sold and none oversold. The Lock lives here;
// each child gets a handle on it with the same acquire()/release().
import {
  type HandleOf,
  isMainModule,
  Lock,
  Manager,
  Process,
  portable,
  type SharedNamespace,
} from 'weft';

/** Sells tickets until none are left; returns how many this seller sold. */
export const seller = portable(
  import.meta.url,
  async function seller(
    office: SharedNamespace<{ tickets: number; sold: number }>,
    lock: HandleOf<Lock>,
  ): Promise<number> {
    let sold = 0;
    for (;;) {
      await lock.acquire();
      try {
        const tickets = await office.get('tickets');
        if (tickets === 0) return sold;
        await office.set('tickets', tickets - 1);
        await office.set('sold', (await office.get('sold')) + 1);
        sold++;
      } finally {
        await lock.release();
      }
    }
  },
);

if (isMainModule(import.meta)) {
  const manager = new Manager();
  const office = manager.namespace({ tickets: 100, sold: 0 });
  const lock = new Lock();
  const sellers = [1, 2, 3, 4].map(
    (n) => new Process(seller, { args: [office, lock], name: `seller ${n}` }),
  );
  for (const s of sellers) s.start();
  for (const s of sellers) await s.join();

  // How the 100 split between the sellers depends on scheduling; the totals do not.
  const bySellers = sellers.reduce((sum, s) => sum + (s.result ?? 0), 0);
  console.log(`tickets left: ${await office.get('tickets')}`);
  console.log(`sold, as counted in the office: ${await office.get('sold')}`);
  console.log(`sold, as counted by the sellers: ${bySellers}`);
  console.log(`oversold: ${bySellers > 100 ? 'yes' : 'no'}`);
  console.log(`the lock is free again: ${!lock.locked()}`);
  manager.shutdown();
}
