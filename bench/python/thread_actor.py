"""The Cookbook's thread actor (recipe 12.10), measured like bench/actor.ts: prints one JSON object.

An actor is a thread that takes messages from its own queue.Queue. The main thread sends
MESSAGES integers (put never blocks: the queue is unbounded), then a sentinel that makes
recv() raise ActorExit, and joins. The actor checks that its i-th message is i; the count
of messages it received is checked after the join.

Patterns: "free" (the OS places both threads) and "one_cpu" (both threads pinned to one
CPU with os.sched_setaffinity, where available). Two threads on two cores hand the GIL
back and forth across cores, which is much slower than taking turns on one.
usage: python3 thread_actor.py MESSAGES ROUNDS
"""

import os

import gc
import json
import queue
import statistics
import sys
import threading
import time


class ActorExit(Exception):
    """Raised by recv() once the actor was closed; ends run() quietly."""


class Actor:
    def __init__(self) -> None:
        self._mailbox: queue.Queue = queue.Queue()
        self._finished = threading.Event()

    def send(self, msg) -> None:
        self._mailbox.put(msg)

    def recv(self):
        msg = self._mailbox.get()
        if msg is ActorExit:
            raise ActorExit()
        return msg

    def close(self) -> None:
        self.send(ActorExit)

    def start(self) -> None:
        threading.Thread(target=self._main, daemon=True).start()

    def join(self) -> None:
        self._finished.wait()

    def _main(self) -> None:
        try:
            self.run()
        except ActorExit:
            pass
        finally:
            self._finished.set()

    def run(self) -> None:
        raise NotImplementedError


class Counter(Actor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.error = None

    def run(self) -> None:
        while True:
            msg = self.recv()
            if msg != self.count and self.error is None:
                self.error = f"the actor's message {self.count} is {msg}"
            self.count += 1


def measure(messages: int) -> float:
    """One timed run with a new actor; returns messages per second (start to join)."""
    gc.collect()
    actor = Counter()
    start = time.perf_counter()
    actor.start()
    for i in range(messages):
        actor.send(i)
    actor.close()
    actor.join()
    elapsed = time.perf_counter() - start
    if actor.error is not None:
        raise AssertionError(actor.error)
    if actor.count != messages:
        raise AssertionError(f"the actor received {actor.count} of {messages} messages")
    return messages / elapsed


def rounds_of(messages: int, rounds: int) -> dict:
    measure(max(1, messages // 10))  # warm-up
    samples = [measure(messages) for _ in range(rounds)]
    return {"median": statistics.median(samples), "samples": samples}


def main() -> None:
    messages, rounds = (int(arg) for arg in sys.argv[1:3])
    result = {"python": sys.version.split()[0], "free": rounds_of(messages, rounds)}
    if hasattr(os, "sched_setaffinity"):
        allowed = os.sched_getaffinity(0)
        # Threads inherit the affinity of the thread that starts them: the actor's too.
        os.sched_setaffinity(0, {min(allowed)})
        try:
            result["one_cpu"] = rounds_of(messages, rounds)
        finally:
            os.sched_setaffinity(0, allowed)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
