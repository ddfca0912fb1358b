/**
 * The inputs of the pool benchmarks and the full check of every contender's results: each
 * result is compared with the expected one, not only the count or the last. No weft
 * import: `bench/fresh.ts` uses it in a process where no weft task ever starts.
 */

/** The inputs of one batch: 0..tasks-1. */
export function batchItems(tasks: number): number[] {
  return Array.from({ length: tasks }, (_, i) => i);
}

/** Throws unless `results[i]` is `items[i] + add` for every i, and there are no more. */
export function checkResults(results: readonly unknown[], items: readonly number[], add = 0): void {
  if (results.length !== items.length)
    throw new Error(`a run returned ${results.length} results for ${items.length} items`);
  for (let i = 0; i < items.length; i++) {
    const expected = items[i]! + add;
    if (results[i] !== expected)
      throw new Error(`result ${i} of a run is ${results[i]}, not ${expected}`);
  }
}

/** Throws unless `results` are `x + 1` for every x of `items`, in order (the pools' task). */
export function checkIncremented(results: readonly unknown[], items: readonly number[]): void {
  checkResults(results, items, 1);
}

/**
 * A submit-and-await-each call of `runOne` over 0, 1, 2, ... that checks each result is
 * `x + 1`.
 */
export function checkedEach(runOne: (x: number) => PromiseLike<number>): () => Promise<void> {
  let x = 0;
  return async () => {
    const result = await runOne(x);
    if (result !== x + 1) throw new Error(`task ${x} returned ${result}, not ${x + 1}`);
    x++;
  };
}
