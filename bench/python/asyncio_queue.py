"""asyncio.Queue producer/consumer, measured like bench/queue.ts: prints one JSON object.

One producer awaits put(i) for every item, one consumer awaits get() as many times and
checks that its i-th item is i.
usage: python3 asyncio_queue.py ITEMS MAXSIZE ROUNDS
"""

import asyncio
import gc
import json
import statistics
import sys
import time


async def producer(queue: asyncio.Queue, items: int) -> None:
    for i in range(items):
        await queue.put(i)


async def consumer(queue: asyncio.Queue, items: int) -> None:
    for i in range(items):
        item = await queue.get()
        if item != i:
            raise AssertionError(f"the consumer's item {i} is {item}")


def measure(maxsize: int, items: int) -> float:
    """One timed run on a fresh event loop and queue; returns items per second."""
    gc.collect()

    async def main() -> float:
        queue: asyncio.Queue = asyncio.Queue(maxsize)
        start = time.perf_counter()
        await asyncio.gather(producer(queue, items), consumer(queue, items))
        return items / (time.perf_counter() - start)

    return asyncio.run(main())


def main() -> None:
    items, bound, rounds = (int(arg) for arg in sys.argv[1:4])
    result = {"python": sys.version.split()[0]}
    for name, maxsize in (("unbounded", 0), ("bounded", bound)):
        measure(maxsize, max(1, items // 10))  # warm-up
        samples = [measure(maxsize, items) for _ in range(rounds)]
        result[name] = {"median": statistics.median(samples), "samples": samples}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
