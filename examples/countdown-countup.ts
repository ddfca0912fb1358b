// The Python Cookbook's generator scheduler (recipe 12.12): each `yield` hands the turn to the
// next task, round-robin, until every task has finished.
import { setTimeout as sleep } from 'node:timers/promises';
import { Scheduler } from 'weft';

function* countdown(n: number): Generator<void, void, void> {
  while (n > 0) {
    console.log('T-minus', n);
    yield;
    n--;
  }
  console.log('Blastoff!');
}

function* countup(n: number): Generator<void, void, void> {
  for (let x = 0; x < n; x++) {
    console.log('Counting up', x);
    yield;
  }
}

const sched = new Scheduler();
sched.newTask(countdown(5));
sched.newTask(countdown(3));
sched.newTask(countup(4));
console.log('all finished:', await sched.run());

// Yielding a promise parks only that task until it settles; `yield` gives back its value.
function* request(name: string, ms: number): Generator<unknown, void, string> {
  console.log(`${name}: waiting ${ms} ms`);
  const reply = yield sleep(ms, `${name}: reply after ${ms} ms`);
  console.log(reply);
}

sched.newTask(request('slow', 40));
sched.newTask(request('fast', 5));
console.log('all finished:', await sched.run());
