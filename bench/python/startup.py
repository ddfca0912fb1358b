"""Start-up cost, measured like bench/startup.ts: prints one JSON object.

Start + join of a thread or process running an empty target: threading.Thread, and
multiprocessing.Process with each start method (fork, forkserver, spawn). One warm-up
round (it also starts the forkserver), then ROUNDS rounds in which each pattern starts
CALLS threads or processes one after the other, in an order rotated every round (as
bench/harness.ts does); a round's figure is the median of its starts, in µs. Every start is
checked: the thread's target ran, the process exited with 0.
usage: python3 startup.py CALLS ROUNDS
"""

import gc
import json
import multiprocessing
import statistics
import sys
import threading
import time


def empty() -> None:
    pass


def thread_start() -> None:
    ran = []
    thread = threading.Thread(target=ran.append, args=(True,))
    thread.start()
    thread.join()
    if ran != [True]:
        raise AssertionError("the thread's target did not run")


def process_start(context) -> callable:
    def start() -> None:
        process = context.Process(target=empty)
        process.start()
        process.join()
        if process.exitcode != 0:
            raise AssertionError(f"the process exited with {process.exitcode}")

    return start


def main() -> None:
    calls, rounds = (int(arg) for arg in sys.argv[1:3])
    patterns = [("thread", thread_start)] + [
        (method, process_start(multiprocessing.get_context(method)))
        for method in ("fork", "forkserver", "spawn")
    ]
    samples = {name: [] for name, _ in patterns}
    for round_ in range(-1, rounds):
        for k in range(len(patterns)):
            name, start = patterns[(k + max(round_, 0)) % len(patterns)]
            gc.collect()
            times = []
            for _ in range(calls):
                begin = time.perf_counter()
                start()
                times.append((time.perf_counter() - begin) * 1e6)
            if round_ >= 0:
                samples[name].append(statistics.median(times))
    result = {"python": sys.version.split()[0]}
    result.update(
        {name: {"median": statistics.median(v), "samples": v} for name, v in samples.items()}
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
