// The Cookbook's PrintActor (recipe 12.10): an actor is a task with a mailbox. run() takes
// messages with recv(); close() lets the mail already sent be delivered, then recv() throws
// ActorExit, which ends run() quietly.
import { Actor } from 'weft';

class PrintActor extends Actor<string> {
  override async run(): Promise<void> {
    for (;;) {
      const msg = await this.recv();
      console.log(`Got: ${msg}`);
    }
  }
}

const p = new PrintActor().start();
await p.send('Hello');
await p.send('World');
p.close();
await p.join(); // would rethrow what run() threw
console.log(`joined; still alive: ${p.isAlive()}`);
await p.send('too late').catch((err: Error) => console.log(`send after close: ${err.name}`));

// The same without a subclass: a handler, whose return value answers ask().
const shout = new Actor<string, string>({ handler: (msg) => `${msg.toUpperCase()}!` }).start();
console.log(await shout.ask('hello', { timeout: 1000 }));
shout.close();
await shout.join();
