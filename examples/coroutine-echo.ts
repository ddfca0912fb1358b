// gevent's StreamServer echo server: a plain function handles each connection, in a
// coroutine of its own — here a weft task per connection, so currentTask() tells the
// connections apart and a TaskLocal holds one value per connection, seen by every function
// the handler calls, however the connections' awaits interleave. The server welcomes each
// client, takes its name, echoes its lines under that name until it says "quit". Fifty
// clients talk to it at once.
import { connect } from 'node:net';
import {
  currentTask,
  LineReader,
  type StreamRequestHandler,
  sleep,
  type Task,
  TaskLocal,
  TCPServer,
} from 'weft';

const clientName = new TaskLocal<string>('stranger');
const tasks = new Set<Task<unknown>>();

/** Deep in the handler's calls, the connection's own name: no parameter carries it here. */
const signed = (line: string) => `${clientName.get()} said: ${line}`;

/** The handler, called with each connection (gevent: `def echo(socket, address)`). */
async function echo(h: StreamRequestHandler): Promise<void> {
  tasks.add(currentTask()!);
  await h.wfile.write('Welcome to the echo server! Say your name, then quit to leave.\n');
  clientName.set((await h.rfile.readline()).toString().trim());
  for await (const line of h.rfile) {
    if (line.toString().trim().toLowerCase() === 'quit') break;
    await sleep(Math.random() * 10); // the other connections run meanwhile
    await h.wfile.write(`${signed(line.toString().trimEnd())}\n`);
  }
}

/** One client: its name, then each line in turn; the whole conversation as it saw it. */
async function client(port: number, name: string, lines: string[]): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  const replies = new LineReader(socket);
  const seen = [(await replies.readline()).toString().trimEnd()];
  socket.write(`${name}\n`);
  for (const line of lines) {
    socket.write(`${line}\n`);
    seen.push((await replies.readline()).toString().trimEnd());
  }
  socket.write('quit\n');
  seen.push((await replies.readline()).toString() === '' ? '(closed by the server)' : '?');
  socket.end();
  return seen;
}

{
  await using server = new TCPServer(['127.0.0.1', 0], echo);
  const [, port] = await server.listen();
  const names = Array.from({ length: 50 }, (_, i) => `client-${i + 1}`);
  const conversations = await Promise.all(
    names.map((name) => client(port, name, ['hello', 'how are you?', 'bye'])),
  );
  console.log(conversations[0]!.join('\n'));
  const ownName = conversations.every((seen, i) =>
    seen.slice(1, 4).every((reply) => reply.startsWith(`${names[i]} said: `)),
  );
  console.log(`${names.length} clients, each echoed under its own name: ${ownName}`);
  console.log(`connections served by distinct tasks: ${tasks.size}`);
}
