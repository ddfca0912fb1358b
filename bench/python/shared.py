"""Threads sharing memory, measured like bench/shared.ts: prints one JSON object.

- queue.Queue streaming: the main thread puts 0..ITEMS-1 and an end-of-round mark; a
  consumer thread takes them with get() and reports how many came in order (items/s).
- queue.Queue ping-pong: the main thread puts a number on one queue, a thread takes it and
  puts it on another, the main thread takes it back; OPS round trips (round trips/s).
- threading.Lock, 2 threads: each does OPS acquire + release (acquire+release pairs/s).
- multiprocessing.Value('i') with 2 threads: each does OPS `with v.get_lock(): v.value += 1`
  (increments/s), the total checked.
One warm-up round, then ROUNDS rounds, patterns rotated every round.
usage: python3 shared.py ITEMS OPS ROUNDS
"""

import gc
import json
import multiprocessing
import queue
import statistics
import sys
import threading
import time

END_OF_ROUND = -1
STOP = -2


def consume(items, done) -> None:
    expected, in_order = 0, True
    while True:
        item = items.get()
        if item == STOP:
            return
        if item == END_OF_ROUND:
            done.put(expected if in_order else -3)
            expected, in_order = 0, True
        elif item == expected:
            expected += 1
        else:
            in_order = False


def echo(inbox, outbox) -> None:
    while True:
        item = inbox.get()
        if item == STOP:
            return
        outbox.put(item)


class Streaming:
    def __init__(self):
        self.items, self.done = queue.Queue(), queue.Queue()
        self.thread = threading.Thread(target=consume, args=(self.items, self.done))
        self.thread.start()

    def round(self, count: int) -> None:
        put = self.items.put
        for i in range(count):
            put(i)
        put(END_OF_ROUND)
        got = self.done.get()
        assert got == count, f"the consumer got {got} of {count} in order"

    def close(self) -> None:
        self.items.put(STOP)
        self.thread.join()


class PingPong:
    def __init__(self):
        self.inbox, self.outbox = queue.Queue(), queue.Queue()
        self.thread = threading.Thread(target=echo, args=(self.inbox, self.outbox))
        self.thread.start()

    def round(self, count: int) -> None:
        put, get = self.inbox.put, self.outbox.get
        for i in range(count):
            put(i)
            assert get() == i

    def close(self) -> None:
        self.inbox.put(STOP)
        self.thread.join()


def lock_loop(lock, count: int) -> None:
    acquire, release = lock.acquire, lock.release
    for _ in range(count):
        acquire()
        release()


def value_loop(value, count: int) -> None:
    for _ in range(count):
        with value.get_lock():
            value.value += 1


class TwoThreads:
    def __init__(self, loop, make):
        self.loop, self.make = loop, make

    def round(self, count: int) -> None:
        shared = self.make()
        threads = [threading.Thread(target=self.loop, args=(shared, count)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if hasattr(shared, "value"):
            assert shared.value == 2 * count, f"{shared.value} increments of {2 * count}"

    def close(self) -> None:
        pass


def main() -> None:
    items, ops, rounds = (int(arg) for arg in sys.argv[1:4])
    patterns = {
        "queue_stream": (items, 1, Streaming()),
        "queue_ping_pong": (ops, 1, PingPong()),
        "lock_2_threads": (ops, 2, TwoThreads(lock_loop, threading.Lock)),
        "value_2_threads": (ops, 2, TwoThreads(value_loop, lambda: multiprocessing.Value("i", 0))),
    }
    samples = {name: [] for name in patterns}
    names = list(patterns)
    for round_ in range(-1, rounds):
        for k in range(len(names)):
            name = names[(k + max(round_, 0)) % len(names)]
            count, per_count, pattern = patterns[name]
            gc.collect()
            start = time.perf_counter()
            pattern.round(count)
            figure = count * per_count / (time.perf_counter() - start)
            if round_ >= 0:
                samples[name].append(figure)
    for _, _, pattern in patterns.values():
        pattern.close()
    result = {"python": sys.version.split()[0]}
    result.update({name: {"median": statistics.median(v), "samples": v} for name, v in samples.items()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
