// Python's socketserver echo server and its client: a TCPServer whose StreamRequestHandler
// echoes each line back, upper-cased, from a task of its own per connection. Three clients
// talk to it at once; a fourth sends a line longer than maxLineLength, which ends that one
// connection and goes to onError while the others are served. Then the server shuts down.
import { connect } from 'node:net';
import { LineReader, type ServerErrorInfo, StreamRequestHandler, TCPServer } from 'weft';

class UpperEcho extends StreamRequestHandler {
  override async handle(): Promise<void> {
    for await (const line of this.rfile) await this.wfile.write(line.toString().toUpperCase());
  }
}

const reports: string[] = [];
const onError = (error: unknown, { reason }: ServerErrorInfo) =>
  reports.push(`${reason}: ${(error as Error).name}`);

/** Connects, sends each line, and collects the answers. */
async function talk(port: number, lines: string[]): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const replies = new LineReader(socket);
  const answers: string[] = [];
  for (const line of lines) {
    socket.write(`${line}\n`);
    // A connection the server ended reads as the end of input (or a reset).
    const answer = (await replies.readline().catch(() => '')).toString();
    answers.push(answer === '' ? '(connection closed)' : answer.trimEnd());
  }
  socket.end();
  return answers;
}

{
  await using server = new TCPServer(['127.0.0.1', 0], UpperEcho, { maxLineLength: 64, onError });
  const [host, port] = await server.listen();
  console.log(`serving on ${host}, port ${port > 0 ? 'chosen by the system' : port}`);
  const conversations = await Promise.all([
    talk(port, ['hello', 'world']),
    talk(port, ['spam', 'eggs']),
    talk(port, ['one', 'two', 'three']),
    talk(port, ['x'.repeat(100)]),
  ]);
  for (const answers of conversations) console.log(answers.join(' | '));
  // The too-long line's connection is reported once the server has ended it.
  while (reports.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  console.log(`onError: ${reports.join(', ')}`);
}
console.log('server shut down');
