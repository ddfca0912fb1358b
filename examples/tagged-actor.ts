// The Cookbook's TaggedActor (recipe 12.10): a message [tag, ...payload] runs the method named
// after its tag. The type parameter lists each tag's payload, so a wrong pair does not compile.
import { TaggedActor } from 'weft';

interface Tags {
  A: [number];
  B: [number, number];
  sum: number[];
}

class TaggedA extends TaggedActor<Tags> {
  A(x: number): void {
    console.log(`Running A ${x}`);
  }
  B(x: number, y: number): void {
    console.log(`Running B ${x} ${y}`);
  }
  sum(...xs: number[]): number {
    return xs.reduce((a, b) => a + b, 0);
  }
}

const a = new TaggedA().start();
await a.send(['A', 1]);
await a.send(['B', 2, 3]);
// await a.send(['B', 2]); // does not compile: B takes [number, number]
const total: number = await a.ask(['sum', 1, 2, 3, 4]); // typed from sum()'s return type
console.log(`sum: ${total}`);

// An unknown tag (only possible by casting the types away) is a clear error for the asker.
const bogus = ['C', 1] as unknown as ['A', number];
await a.ask(bogus).catch((err: Error) => console.log(`${err.name}: ${err.message}`));

a.close();
await a.join();
console.log('done');
