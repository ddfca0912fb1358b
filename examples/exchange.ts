// The Cookbook's publish/subscribe exchange (recipe 12.11): getExchange(name) gives the one
// exchange of that name; send() hands each message to every attached subscriber.
import { Actor, getExchange, Queue } from 'weft';

// Anything with send(msg) is a subscriber, like the Cookbook's DisplayMessages.
class DisplayMessages {
  count = 0;
  send(msg: string): void {
    this.count += 1;
    console.log(`msg[${this.count}]: ${JSON.stringify(msg)}`);
  }
}

const exc = getExchange<string>('name');
const d = new DisplayMessages();
exc.attach(d);
await exc.send('msg1');

// Actors and queues subscribe too; subscribe() detaches them again at the end of the block.
const taskA = new Actor<string>({ handler: (msg) => console.log(`taskA got ${msg}`) }).start();
const inbox = new Queue<string>();
{
  using _subscription = exc.subscribe(taskA, inbox);
  await exc.send('msg2');
  await exc.send('msg3');
}
await exc.send('msg4'); // only d now
console.log(`inbox holds ${inbox.qsize()} messages: ${inbox.getNowait()}, ${inbox.getNowait()}`);

// One failing subscriber does not keep the message from the others; send() reports it.
const broken = {
  send(): void {
    throw new Error('broken subscriber');
  },
};
exc.attach(broken);
await exc.send('msg5').catch((err: AggregateError) => console.log(err.message));
exc.detach(broken);

console.log(`same exchange by name: ${getExchange('name') === exc}`);
taskA.close();
await taskA.join();
