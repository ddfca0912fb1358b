// asyncio's TaskGroup: the group waits for every task it spawned; the first task that fails
// cancels the others, and the group throws that error itself (several errors: AggregateError).
import { sleep, TaskGroup } from 'weft';

// TaskGroup.run: the body's value once every child has ended.
const [a, b] = await TaskGroup.run(async (tg) => {
  const a = tg.spawn(async () => {
    await sleep(10);
    return 'a';
  });
  const b = tg.spawn(async () => {
    await sleep(5);
    return 'b';
  });
  return [a, b];
});
console.log(`both done: ${a.value} ${b.value}`);

// A failing child kills its sibling; the group waits for it to end, then throws.
let sibling = 'still running';
try {
  await TaskGroup.run(async (tg) => {
    tg.spawn(async () => {
      await sleep(5);
      throw new Error('disk full');
    });
    tg.spawn(async () => {
      try {
        await sleep(60_000);
      } finally {
        sibling = 'killed';
      }
    });
  });
} catch (err) {
  console.log(`run threw: ${(err as Error).message}; the sibling was ${sibling}`);
}

// The same with `await using`, in a block.
try {
  await using tg = new TaskGroup();
  tg.spawn(async () => {
    await sleep(5);
    throw new Error('disk full');
  });
  tg.spawn(() => sleep(60_000));
} catch (err) {
  console.log(`await using threw: ${(err as Error).message}`);
}

// Several failures come out together.
try {
  await TaskGroup.run(async (tg) => {
    for (const name of ['north', 'south']) {
      tg.spawn(async () => {
        throw new Error(`${name} is down`);
      });
    }
  });
} catch (err) {
  const errors = (err as AggregateError).errors as Error[];
  console.log(`${(err as Error).name}: ${errors.map((e) => e.message).join(', ')}`);
}
