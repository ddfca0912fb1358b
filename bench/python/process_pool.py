"""Process pools, measured like bench/process-pool.ts: prints one JSON object.

concurrent.futures.ProcessPoolExecutor and multiprocessing.Pool, WORKERS processes each,
both warm for the whole run. Task by task: every trivial task submitted (submit /
apply_async), then every result taken. Map: map(fn, items, chunksize=CHUNKSIZE), every
result taken. One warm-up round, then ROUNDS rounds in which each pattern runs once, in an
order rotated every round (as bench/harness.ts does).
usage: python3 process_pool.py WORKERS TASKS MAP_ITEMS CHUNKSIZE ROUNDS
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
    if len(results) != count or results[0] != 1 or results[-1] != count:
        raise AssertionError("the pool returned wrong results")


def executor_submit(executor: ProcessPoolExecutor, items: range) -> None:
    futures = [executor.submit(increment, i) for i in items]
    check([future.result() for future in futures], len(items))


def executor_map(executor: ProcessPoolExecutor, items: range, chunksize: int) -> None:
    check(list(executor.map(increment, items, chunksize=chunksize)), len(items))


def pool_apply_async(pool, items: range) -> None:
    pending = [pool.apply_async(increment, (i,)) for i in items]
    check([result.get() for result in pending], len(items))


def pool_map(pool, items: range, chunksize: int) -> None:
    check(pool.map(increment, items, chunksize=chunksize), len(items))


def main() -> None:
    workers, tasks, map_items, chunksize, rounds = (int(arg) for arg in sys.argv[1:6])
    task_items, map_range = range(tasks), range(map_items)
    with ProcessPoolExecutor(max_workers=workers) as executor, multiprocessing.Pool(workers) as pool:
        patterns = [
            ("executor_submit", tasks, lambda: executor_submit(executor, task_items)),
            ("executor_map", map_items, lambda: executor_map(executor, map_range, chunksize)),
            ("pool_apply_async", tasks, lambda: pool_apply_async(pool, task_items)),
            ("pool_map", map_items, lambda: pool_map(pool, map_range, chunksize)),
        ]
        samples = {name: [] for name, _, _ in patterns}
        for round_ in range(-1, rounds):
            for k in range(len(patterns)):
                name, ops, run = patterns[(k + max(round_, 0)) % len(patterns)]
                gc.collect()
                start = time.perf_counter()
                run()
                rate = ops / (time.perf_counter() - start)
                if round_ >= 0:
                    samples[name].append(rate)
    result = {"python": sys.version.split()[0]}
    for name, values in samples.items():
        result[name] = {"median": statistics.median(values), "samples": values}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
