// Event-driven I/O with the blocking work handed to a pool, as a Python server hands it to
// a concurrent.futures.ThreadPoolExecutor (loop.run_in_executor): the TCPServer reads and
// writes on the event loop, one task per connection, and each line's CPU work — fib(n) —
// runs on a worker thread, so a long computation never holds up the other connections.
// The work is an exported portable function, which the worker threads import from this
// module; so, like Python's `if __name__ == '__main__':`, the server runs only where the
// program was started.
import { connect } from 'node:net';
import {
  isMainModule,
  LineReader,
  portable,
  type StreamRequestHandler,
  TCPServer,
  ThreadPoolExecutor,
} from 'weft';

export const fib = portable(import.meta.url, function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
});

/** Sends each line in turn, waiting for its answer: what came back. */
async function client(port: number, lines: string[]): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  const replies = new LineReader(socket);
  const answers: string[] = [];
  for (const line of lines) {
    socket.write(`${line}\n`);
    answers.push((await replies.readline()).toString().trimEnd());
  }
  socket.end();
  return answers;
}

if (isMainModule(import.meta)) {
  await using executor = new ThreadPoolExecutor({ maxWorkers: 2 });

  /** Each line is a number n; the answer is fib(n), computed on a worker thread. */
  const handler = async (h: StreamRequestHandler) => {
    for await (const line of h.rfile) {
      const n = Number(line.toString().trim());
      if (!Number.isInteger(n) || n < 0 || n > 40) {
        await h.wfile.write(
          `error: ${JSON.stringify(line.toString().trim())} is not a whole number from 0 to 40\n`,
        );
        continue;
      }
      await h.wfile.write(`fib(${n}) = ${await executor.submit(fib, n)}\n`);
    }
  };

  await using server = new TCPServer(['127.0.0.1', 0], handler);
  const [, port] = await server.listen();
  // Four clients at once: the CPU work of all of them shares the two worker threads.
  const conversations = await Promise.all([
    client(port, ['30', '10']),
    client(port, ['25', '5', '1']),
    client(port, ['32']),
    client(port, ['twelve', '12']),
  ]);
  for (const [i, answers] of conversations.entries())
    console.log(`client ${i + 1}: ${answers.join(' | ')}`);
}
