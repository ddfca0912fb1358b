// A work queue in Redis: any process on any machine that reaches the same Redis shares it by
// name. Here a producer and two consumers are separate clients (they could be separate
// machines); each item is acknowledged with taskDone(), and join() waits for all of them.
// Redis: WEFT_REDIS_URL, else redis://127.0.0.1:6379.
import { RedisQueue } from 'weft/redis';

const name = `thumbnails-${process.pid}`;
const producer = new RedisQueue<{ photo: string }>(name, { maxsize: 2 });

async function consumer(label: string, done: string[]): Promise<void> {
  // Each consumer has its own client: items it got are leased to it until its taskDone().
  await using jobs = new RedisQueue<{ photo: string }>(name);
  for await (const job of jobs) {
    done.push(`${job.photo} by ${label}`);
    await jobs.taskDone();
  }
}

const done: string[] = [];
const consumers = [consumer('a', done), consumer('b', done)];
for (const photo of ['cat.jpg', 'dog.jpg', 'owl.jpg', 'fox.jpg', 'elk.jpg']) {
  await producer.put({ photo }); // waits while two items wait undelivered
}
await producer.join(); // every item acknowledged, by whichever consumer got it
console.log(`thumbnails made: ${done.length}`);
console.log(
  `photos: ${done
    .map((line) => line.split(' ')[0])
    .sort()
    .join(' ')}`,
);

await producer.shutdown(); // ends the consumers' loops, in every process
await Promise.all(consumers);
await producer
  .put({ photo: 'late.jpg' })
  .catch((error: Error) => console.log(`put after shutdown: ${error.name}`));
await producer.destroy(); // removes the queue's keys from Redis
