"""Queues, a Manager dict and a Lock shared with a child, measured like bench/handles.ts:
prints one JSON object.

Each child (a process; a thread for queue.Queue) is started once and serves every round.
Queues: the parent puts 0..ITEMS-1 then an end-of-round mark; the consumer takes them with
get() and puts on a done queue how many came in order (the producer pattern: the child puts,
the parent takes and checks). Dict: the child does OPS times
d[i % 64] = i then d[i % 64] (each checked). Lock: the child does OPS times acquire() +
release(). A round is timed from the first put (or the command) to the child's report,
which is checked. One warm-up round, then ROUNDS rounds in which each pattern runs once, in
an order rotated every round (as bench/harness.ts does).
usage: python3 handles.py ITEMS OPS ROUNDS [PATTERN,...]  (only those patterns; all by default)
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
OUT_OF_ORDER = -3


def consume(items, done, joinable: bool) -> None:
    expected, in_order = 0, True
    while True:
        item = items.get()
        if joinable:
            items.task_done()
        if item == STOP:
            return
        if item == END_OF_ROUND:
            done.put(expected if in_order else OUT_OF_ORDER)
            expected, in_order = 0, True
        elif item == expected:
            expected += 1
        else:
            in_order = False


def produce(commands, items) -> None:
    while True:
        count = commands.get()
        if count < 0:
            return
        put = items.put
        for i in range(count):
            put(i)
        put(END_OF_ROUND)


def share(items, go, done) -> None:
    while go.get() != STOP:
        taken, last, in_order = 0, -1, True
        while True:
            item = items.get()
            if item == END_OF_ROUND:
                break
            if item <= last:
                in_order = False
            last = item
            taken += 1
        done.put(taken if in_order else OUT_OF_ORDER)


def dict_rounds(commands, done, shared) -> None:
    while True:
        count = commands.get()
        if count < 0:
            return
        right = True
        for i in range(count):
            shared[i & 63] = i
            if shared[i & 63] != i:
                right = False
        done.put(count if right else OUT_OF_ORDER)


def lock_rounds(commands, done, lock) -> None:
    while True:
        count = commands.get()
        if count < 0:
            return
        held = 0
        for _ in range(count):
            if lock.acquire():
                held += 1
            lock.release()
        done.put(count if held == count else OUT_OF_ORDER)


class Consumer:
    """A consumer child (process or thread) of `items`, reporting on `done`."""

    def __init__(self, items, done, start, joinable=False):
        self.items, self.done = items, done
        self.child = start(target=consume, args=(items, done, joinable))
        self.child.start()

    def round(self, count: int) -> None:
        put = self.items.put
        for i in range(count):
            put(i)
        put(END_OF_ROUND)
        received = self.done.get()
        if received != count:
            raise AssertionError(f"the consumer got {received} items in order, not {count}")

    def close(self) -> None:
        self.items.put(STOP)
        self.child.join()


class Producer:
    """A producer child putting `count` items on a queue each round, taken and checked here."""

    def __init__(self):
        self.commands, self.items = multiprocessing.Queue(), multiprocessing.Queue()
        self.child = multiprocessing.Process(target=produce, args=(self.commands, self.items))
        self.child.start()

    def round(self, count: int) -> None:
        self.commands.put(count)
        get = self.items.get
        expected = 0
        while True:
            item = get()
            if item == END_OF_ROUND:
                break
            if item != expected:
                raise AssertionError(f"item {item} came where {expected} was due")
            expected += 1
        if expected != count:
            raise AssertionError(f"{expected} items came, not {count}")

    def close(self) -> None:
        self.commands.put(-1)
        self.child.join()


class Sharers:
    """`n` consumer processes sharing one queue, each gated by a go queue of its own."""

    def __init__(self, n: int):
        self.items, self.done = multiprocessing.Queue(), multiprocessing.Queue()
        self.gates = [multiprocessing.Queue() for _ in range(n)]
        self.children = [
            multiprocessing.Process(target=share, args=(self.items, go, self.done)) for go in self.gates
        ]
        for child in self.children:
            child.start()

    def round(self, count: int) -> None:
        for go in self.gates:
            go.put(0)
        put = self.items.put
        for i in range(count):
            put(i)
        for _ in self.gates:
            put(END_OF_ROUND)
        total = 0
        for _ in self.gates:
            reported = self.done.get()
            if reported < 0:
                raise AssertionError("a consumer got items out of order")
            total += reported
        if total != count:
            raise AssertionError(f"the consumers took {total} items, not {count}")

    def close(self) -> None:
        for go in self.gates:
            go.put(STOP)
        for child in self.children:
            child.join()


class Commanded:
    """A child running `target(commands, done, *extra)`, given a count each round."""

    def __init__(self, target, extra: tuple):
        self.commands, self.done = multiprocessing.Queue(), multiprocessing.Queue()
        self.child = multiprocessing.Process(target=target, args=(self.commands, self.done, *extra))
        self.child.start()

    def round(self, count: int) -> None:
        self.commands.put(count)
        reported = self.done.get()
        if reported != count:
            raise AssertionError(f"the child reported {reported}, not {count}")

    def close(self) -> None:
        self.commands.put(-1)
        self.child.join()


def main() -> None:
    items, ops, rounds = (int(arg) for arg in sys.argv[1:4])
    manager = multiprocessing.Manager()
    # The parent keeps the proxy: the manager forgets an object no proxy refers to.
    shared = manager.dict()
    # Each pattern's count and how to start its child (only the patterns asked for start).
    patterns = {
        "mp_queue": (items, lambda: Consumer(multiprocessing.Queue(), multiprocessing.Queue(), multiprocessing.Process)),
        "mp_joinable_queue": (
            items,
            lambda: Consumer(multiprocessing.JoinableQueue(), multiprocessing.Queue(), multiprocessing.Process, True),
        ),
        "manager_queue": (items, lambda: Consumer(manager.Queue(), manager.Queue(), multiprocessing.Process)),
        "mp_queue_producer": (items, Producer),
        "mp_queue_2": (items, lambda: Sharers(2)),
        "thread_queue": (items, lambda: Consumer(queue.Queue(), queue.Queue(), threading.Thread)),
        "manager_dict": (ops, lambda: Commanded(dict_rounds, (shared,))),
        "mp_lock": (ops, lambda: Commanded(lock_rounds, (multiprocessing.Lock(),))),
    }
    wanted = sys.argv[4].split(",") if len(sys.argv) > 4 and sys.argv[4] else list(patterns)
    unknown = [name for name in wanted if name not in patterns]
    if unknown:
        raise SystemExit(f"unknown patterns: {', '.join(unknown)}; known: {', '.join(patterns)}")
    children = {name: (patterns[name][0], patterns[name][1]()) for name in wanted}
    # The dict pattern does a set and a get per count: ops counts both.
    per_count = {"manager_dict": 2}
    samples = {name: [] for name in children}
    names = list(children)
    for round_ in range(-1, rounds):
        for k in range(len(names)):
            name = names[(k + max(round_, 0)) % len(names)]
            count, child = children[name]
            gc.collect()
            start = time.perf_counter()
            child.round(count)
            figure = count * per_count.get(name, 1) / (time.perf_counter() - start)
            if round_ >= 0:
                samples[name].append(figure)
    for _, child in children.values():
        child.close()
    manager.shutdown()
    result = {"python": sys.version.split()[0]}
    result.update({name: {"median": statistics.median(v), "samples": v} for name, v in samples.items()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
