"""multiprocessing.connection Listener/Client between two processes, measured like
bench/net-connection.ts: prints one JSON object.

A child process connects once (with an authkey) and echoes every message. Streamed: a
thread of the parent sends a round's messages while the parent receives their echoes (so
neither side's socket buffer fills and stalls the other). Ping-pong: send one, receive its
echo, then the next. Each echo is checked. One warm-up round, then ROUNDS rounds, both
patterns each round, in an order rotated every round.
usage: python3 connection.py STREAMED PING_PONG ROUNDS
"""

import json
import statistics
import sys
import threading
import time
from multiprocessing import Process
from multiprocessing.connection import Client, Listener

KEY = b"bench key"


def message(i):
    return {"id": i, "name": "order", "qty": 3, "tags": ["a", "b"]}


def echo(address):
    with Client(address, authkey=KEY) as conn:
        while True:
            try:
                msg = conn.recv()
            except EOFError:
                return
            conn.send(msg)


def check(echo_msg, i):
    if echo_msg["id"] != i or len(echo_msg["tags"]) != 2:
        raise SystemExit(f"echo {echo_msg!r} is not message {i}")


def streamed(conn, count):
    def send_all():
        for i in range(count):
            conn.send(message(i))

    sender = threading.Thread(target=send_all)
    sender.start()
    for i in range(count):
        check(conn.recv(), i)
    sender.join()


def ping_pong(conn, count):
    for i in range(count):
        conn.send(message(i))
        check(conn.recv(), i)


def main():
    stream_count, ping_count, rounds = (int(a) for a in sys.argv[1:4])
    with Listener(("127.0.0.1", 0), authkey=KEY) as listener:
        child = Process(target=echo, args=(listener.address,))
        child.start()
        with listener.accept() as conn:
            patterns = [
                ("streamed", lambda: streamed(conn, stream_count), stream_count),
                ("ping-pong", lambda: ping_pong(conn, ping_count), ping_count),
            ]
            samples = {name: [] for name, _, _ in patterns}
            for name, run, _ in patterns:
                run()  # warm-up
            for r in range(rounds):
                order = patterns[r % len(patterns):] + patterns[: r % len(patterns)]
                for name, run, ops in order:
                    start = time.perf_counter()
                    run()
                    samples[name].append(ops / (time.perf_counter() - start))
        child.join()
    print(json.dumps({name: {"median": statistics.median(s), "samples": s} for name, s in samples.items()}))


if __name__ == "__main__":
    main()
