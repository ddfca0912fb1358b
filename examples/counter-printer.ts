// The Python Cookbook's ActorScheduler (recipe 12.12): generator actors receive messages with
// `const msg = yield`. The counter sends 10 000 messages to the printer and to itself; the
// scheduler delivers them from one queue in a loop, so the stack never grows.
import { ActorScheduler } from 'weft';

const sched = new ActorScheduler<{ printer: number; counter: number }>();
let received = 0;

function* printer(): Generator<void, void, number> {
  while (true) {
    const n = yield;
    received++;
    if (n % 2500 === 0 || n <= 2) console.log('Got:', n);
  }
}

function* counter(): Generator<void, void, number> {
  while (true) {
    const n = yield;
    if (n === 0) break; // the counter finishes and is removed
    sched.send('printer', n);
    sched.send('counter', n - 1);
  }
}

sched.newActor('printer', printer());
sched.newActor('counter', counter());
sched.send('counter', 10_000);
console.log('no message pending:', await sched.run());
console.log(`the printer got ${received} messages; counter still there: ${sched.has('counter')}`);

try {
  sched.send('counter', 1);
} catch (err) {
  console.log(`${(err as Error).name}: ${(err as Error).message}`);
}
