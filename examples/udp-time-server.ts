// Python's socketserver UDP time server: a UDPServer whose DatagramRequestHandler answers
// each datagram with the time, from a task of its own per datagram. The reply is what the
// handler wrote to wfile, sent back as one datagram when handle() returns. Three clients
// ask at once; an unknown request is answered with an error. The times themselves vary
// from run to run, so the clients print what they checked about them.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { DatagramRequestHandler, UDPServer } from 'weft';

class TimeHandler extends DatagramRequestHandler {
  override handle(): void {
    const request = this.packet.toString().trim();
    if (request === 'time') this.wfile.write(new Date().toISOString());
    else this.wfile.write(`error: unknown request ${JSON.stringify(request)}`);
  }
}

/** Sends one datagram to the server and resolves with its answer. */
async function ask(port: number, request: string): Promise<string> {
  const socket = createSocket('udp4');
  try {
    const answer = once(socket, 'message');
    socket.send(request, port, '127.0.0.1');
    const [reply] = (await answer) as [Buffer];
    return reply.toString();
  } finally {
    socket.close();
  }
}

/** What a client prints about a time it was sent: its format, and that it is about now. */
function check(reply: string): string {
  const time = Date.parse(reply);
  const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(reply);
  const recent = Math.abs(Date.now() - time) < 60_000;
  return iso && recent ? 'an ISO 8601 time, within a minute of ours' : `unexpected: ${reply}`;
}

{
  await using server = new UDPServer(['127.0.0.1', 0], TimeHandler);
  const [host, port] = await server.listen();
  console.log(`time server on ${host}, port ${port > 0 ? 'chosen by the system' : port}`);
  const replies = await Promise.all([
    ask(port, 'time'),
    ask(port, 'time'),
    ask(port, 'time'),
    ask(port, 'weather'),
  ]);
  for (const [i, reply] of replies.entries())
    console.log(`client ${i + 1}: ${reply.startsWith('error') ? reply : check(reply)}`);
}
console.log('server shut down');
