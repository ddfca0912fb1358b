"""Echo servers for bench/net-server.ts: prints its port, serves until stdin closes.

The same servers serve every part of the suite: lines one at a time, pipelined, and
connections per second (each connection one line, echoed, then closed by the client).

asyncio: asyncio streams, a coroutine per connection (readline / write / drain).
threading: socketserver.ThreadingTCPServer with a StreamRequestHandler, a thread per client.
usage: python3 echo_server.py asyncio|threading
"""

import asyncio
import socketserver
import sys
import threading


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line)
            await writer.drain()
    finally:
        writer.close()


async def serve_asyncio() -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", 0, limit=1 << 16, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


class Echo(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        for line in self.rfile:
            self.wfile.write(line)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    request_queue_size = 1024


def serve_threading() -> None:
    with Server(("127.0.0.1", 0), Echo) as server:
        print(server.server_address[1], flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()
        server.shutdown()


if __name__ == "__main__":
    if sys.argv[1] == "asyncio":
        asyncio.run(serve_asyncio())
    else:
        serve_threading()
