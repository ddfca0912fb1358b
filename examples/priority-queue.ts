// A PriorityQueue hands out the smallest item first.
import { PriorityQueue } from 'weft';

// Without a comparator, arrays compare element by element, like Python's tuples.
const todo = new PriorityQueue<[number, string]>();
todo.putNowait([2, 'write report']);
todo.putNowait([1, 'fix outage']);
todo.putNowait([3, 'lunch']);
while (!todo.empty()) console.log(todo.getNowait().join(' '));

// With a comparator; items that compare equal come out in the order they were put.
interface Job {
  due: number;
  name: string;
}
const jobs = new PriorityQueue<Job>(0, (a, b) => a.due - b.due);
for (const job of [
  { due: 9, name: 'backup' },
  { due: 5, name: 'invoice A' },
  { due: 5, name: 'invoice B' },
  { due: 1, name: 'deploy' },
]) {
  await jobs.put(job);
}
while (!jobs.empty()) {
  const job = await jobs.get();
  console.log(`due ${job.due}: ${job.name}`);
}
