"""Process pools, measured like bench/process-pool.ts: prints one JSON object.

concurrent.futures.ProcessPoolExecutor and multiprocessing.Pool, WORKERS processes each,
both warm for the whole run. Submit-all: every trivial task submitted (submit /
apply_async), then every result taken. Map: map(fn, items, chunksize=CHUNKSIZE), every
result taken. One warm-up round, then ROUNDS rounds in which each pattern runs once, in an
order rotated every round (as bench/harness.ts does); every result is checked after the
timed region. Then submit-and-await-each: CALLS round trips of one task at a time per round
(submit(...).result(), apply_async(...).get()), in µs, median of each round, rotated too.
usage: python3 process_pool.py WORKERS TASKS MAP_ITEMS CHUNKSIZE ROUNDS CALLS
"""

import gc
import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def increment(x: int) -> int:
    return x + 1


def check(results: list, count: int) -> None:
    if results != list(range(1, count + 1)):
        raise AssertionError("the pool returned wrong results")


def executor_submit(executor: ProcessPoolExecutor, items: range) -> list:
    futures = [executor.submit(increment, i) for i in items]
    return [future.result() for future in futures]


def executor_map(executor: ProcessPoolExecutor, items: range, chunksize: int) -> list:
    return list(executor.map(increment, items, chunksize=chunksize))


def pool_apply_async(pool, items: range) -> list:
    pending = [pool.apply_async(increment, (i,)) for i in items]
    return [result.get() for result in pending]


def pool_map(pool, items: range, chunksize: int) -> list:
    return pool.map(increment, items, chunksize=chunksize)


def executor_each(executor: ProcessPoolExecutor, x: int) -> int:
    return executor.submit(increment, x).result()


def pool_each(pool, x: int) -> int:
    return pool.apply_async(increment, (x,)).get()


def rotated(patterns: list, rounds: int, sample) -> dict:
    """One warm-up round, then `rounds` rotated rounds; `sample` gives one figure of a pattern."""
    samples = {pattern[0]: [] for pattern in patterns}
    for round_ in range(-1, rounds):
        for k in range(len(patterns)):
            pattern = patterns[(k + max(round_, 0)) % len(patterns)]
            gc.collect()
            figure = sample(pattern)
            if round_ >= 0:
                samples[pattern[0]].append(figure)
    return {name: {"median": statistics.median(v), "samples": v} for name, v in samples.items()}


def rate(pattern: tuple) -> float:
    """Items per second of one run of a submit-all or map pattern, its results checked after."""
    _, ops, run = pattern
    start = time.perf_counter()
    results = run()
    elapsed = time.perf_counter() - start
    check(results, ops)
    return ops / elapsed


def latency(calls: int):
    """Median µs of `calls` round trips of one submit-and-await-each pattern, each checked."""

    def sample(pattern: tuple) -> float:
        _, _, call = pattern
        times = []
        for x in range(calls):
            start = time.perf_counter()
            result = call(x)
            times.append((time.perf_counter() - start) * 1e6)
            if result != x + 1:
                raise AssertionError("the pool returned a wrong result")
        return statistics.median(times)

    return sample


def main() -> None:
    workers, tasks, map_items, chunksize, rounds, calls = (int(arg) for arg in sys.argv[1:7])
    task_items, map_range = range(tasks), range(map_items)
    with ProcessPoolExecutor(max_workers=workers) as executor, multiprocessing.Pool(workers) as pool:
        result = {"python": sys.version.split()[0]}
        throughput = [
            ("executor_submit", tasks, lambda: executor_submit(executor, task_items)),
            ("executor_map", map_items, lambda: executor_map(executor, map_range, chunksize)),
            ("pool_apply_async", tasks, lambda: pool_apply_async(pool, task_items)),
            ("pool_map", map_items, lambda: pool_map(pool, map_range, chunksize)),
        ]
        result.update(rotated(throughput, rounds, rate))
        each = [
            ("executor_submit_each", calls, lambda x: executor_each(executor, x)),
            ("pool_apply_async_each", calls, lambda x: pool_each(pool, x)),
        ]
        result.update(rotated(each, rounds, latency(calls)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
