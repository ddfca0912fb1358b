// select() waits on several queues and takes exactly one item from the first that has one.
import { Queue, select } from 'weft';

const orders = new Queue<string>();
const cancellations = new Queue<string>();
const name = (queue: Queue<string>) => (queue === orders ? 'orders' : 'cancellations');

orders.putNowait('order 1');
cancellations.putNowait('cancel 7');
// Both have an item: the first queue in the list wins, and only one item is taken.
let { queue, item } = await select([cancellations, orders]);
console.log(`${name(queue)}: ${item} (orders still holds ${orders.qsize()})`);

({ queue, item } = await select([cancellations, orders]));
console.log(`${name(queue)}: ${item}`);

// Nothing there: wait for whichever queue receives an item first.
setTimeout(() => cancellations.putNowait('cancel 8'), 5);
({ queue, item } = await select([orders, cancellations]));
console.log(`${name(queue)}: ${item}`);

await select([orders, cancellations], { timeout: 10 }).catch((err: Error) =>
  console.log(`nothing within 10 ms: ${err.name}`),
);
orders.shutdown();
cancellations.shutdown();
await select([orders, cancellations]).catch((err: Error) =>
  console.log(`all shut down: ${err.name}`),
);
