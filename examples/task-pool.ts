// gevent's Pool: at most `size` tasks run at once. map() keeps input order; imap() pulls the
// input only as slots free up, so it can run over an endless generator and stop early.
import { sleep, TaskPool } from 'weft';

const pool = new TaskPool(3);
const square = async (n: number) => n * n;
console.log(await pool.map(square, [1, 2, 3, 4]));

async function* numbers() {
  for (let n = 1; ; n++) yield n; // endless: imap pulls only what it needs
}
const squares: number[] = [];
for await (const sq of pool.imap(square, numbers())) {
  if (sq > 50) break; // stops the input and the running tasks
  squares.push(sq);
}
console.log(`imap until 50: ${squares.join(' ')}`);

// spawn() returns the task at once; it starts when a slot frees. waitAvailable() gives a
// producer gevent's blocking backpressure.
let running = 0;
let most = 0;
const job = async (ms: number) => {
  most = Math.max(most, ++running);
  await sleep(ms);
  running--;
};
for (let i = 0; i < 10; i++) {
  await pool.waitAvailable();
  pool.spawn(job, 2);
}
await pool.join();
console.log(`10 jobs, at most ${most} at once; free slots now: ${pool.free}`);
