"""concurrent.futures.ThreadPoolExecutor, measured like bench/thread-pool.ts: prints one JSON object.

Throughput (submit-all): every trivial task submitted, then every result taken, on a warm
pool of WORKERS threads. Latency (submit-and-await-each): one task at a time on the idle
pool, submit() to result(), in µs. Every result is checked.
usage: python3 thread_pool.py WORKERS TASKS CALLS ROUNDS
"""

import gc
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def increment(x: int) -> int:
    return x + 1


def throughput(executor: ThreadPoolExecutor, tasks: int) -> float:
    """One timed run; returns tasks per second."""
    gc.collect()
    start = time.perf_counter()
    futures = [executor.submit(increment, i) for i in range(tasks)]
    results = [future.result() for future in futures]
    elapsed = time.perf_counter() - start
    if results != list(range(1, tasks + 1)):
        raise AssertionError("the pool returned wrong results")
    return tasks / elapsed


def latency(executor: ThreadPoolExecutor, calls: int) -> float:
    """One round of `calls` round trips; returns their median in µs."""
    gc.collect()
    times = []
    for i in range(calls):
        start = time.perf_counter()
        if executor.submit(increment, i).result() != i + 1:
            raise AssertionError("the pool returned a wrong result")
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def main() -> None:
    workers, tasks, calls, rounds = (int(arg) for arg in sys.argv[1:5])
    result = {"python": sys.version.split()[0]}
    with ThreadPoolExecutor(max_workers=workers) as executor:
        throughput(executor, tasks)  # warm-up: starts every worker thread
        samples = [throughput(executor, tasks) for _ in range(rounds)]
        result["throughput"] = {"median": statistics.median(samples), "samples": samples}
        latency(executor, calls)  # warm-up
        samples = [latency(executor, calls) for _ in range(rounds)]
        result["latency"] = {"median": statistics.median(samples), "samples": samples}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
