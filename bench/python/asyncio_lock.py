"""asyncio.Lock acquire+release, measured like bench/lock.ts: prints one JSON object.

Patterns: "uncontended" (one task), "contended" (the same code in TASKS tasks) and
"contended_held" (each task holds the lock across `await asyncio.sleep(0)`). The second
never really contends: an asyncio acquire of a free lock does not suspend, so each task
runs all its loops before the next one starts. The third forces the hand-off from task to
task that the JavaScript loops get from `await` always yielding.

usage: python3 asyncio_lock.py OPS TASKS ROUNDS
"""

import asyncio
import gc
import json
import statistics
import sys
import time


async def acquire_release(lock: asyncio.Lock, ops: int) -> None:
    for _ in range(ops):
        await lock.acquire()
        lock.release()


async def acquire_yield_release(lock: asyncio.Lock, ops: int) -> None:
    for _ in range(ops):
        await lock.acquire()
        await asyncio.sleep(0)
        lock.release()


def measure(pattern: str, ops: int, tasks: int) -> float:
    """One timed run on a fresh event loop and lock; returns acquire+release pairs per second."""
    gc.collect()

    async def main() -> float:
        lock = asyncio.Lock()
        start = time.perf_counter()
        if pattern == "uncontended":
            await acquire_release(lock, ops)
            done = ops
        else:
            loop = acquire_release if pattern == "contended" else acquire_yield_release
            per_task = ops // tasks
            await asyncio.gather(*(loop(lock, per_task) for _ in range(tasks)))
            done = per_task * tasks
        return done / (time.perf_counter() - start)

    return asyncio.run(main())


def main() -> None:
    ops, tasks, rounds = (int(arg) for arg in sys.argv[1:4])
    result = {"python": sys.version.split()[0]}
    for pattern in ("uncontended", "contended", "contended_held"):
        measure(pattern, max(tasks, ops // 10), tasks)  # warm-up
        samples = [measure(pattern, ops, tasks) for _ in range(rounds)]
        result[pattern] = {"median": statistics.median(samples), "samples": samples}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
