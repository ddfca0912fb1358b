// The Python Cookbook's recipe 11.9, authenticating clients with HMAC: before echoing, the
// server challenges each client to prove it knows the secret key (deliverChallenge) and the
// client answers (answerChallenge) — HMAC-SHA256 of random bytes, compared in constant
// time; the key itself never crosses the wire. The handshake runs on the raw connection,
// over a framing of our own (a 4-byte length before each message), so anything that can
// send and receive whole messages can carry it. A client with the right key is echoed; one
// with a wrong key is refused, with an AuthenticationError on both ends.
// (TCPServer's `authKey` option does the same for every connection without a line of this.)
import { connect, type Socket } from 'node:net';
import {
  AuthenticationError,
  answerChallenge,
  deliverChallenge,
  type FrameIO,
  LineReader,
  Queue,
  type StreamRequestHandler,
  StreamWriter,
  TCPServer,
  withTimeout,
} from 'weft';

const SECRET_KEY = 'peekaboo';

/** Whole messages over a byte stream: each one a 4-byte big-endian length, then its bytes. */
function frames(rfile: LineReader, wfile: StreamWriter): FrameIO {
  return {
    async sendBytes(bytes) {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(bytes.byteLength);
      await wfile.write(Buffer.concat([header, bytes]));
    },
    recvBytes: ({ maxLength, timeout }) =>
      withTimeout(timeout, async () => {
        const header = await rfile.readExactly(4);
        if (header.length < 4) throw new Error('the connection ended');
        const length = header.readUInt32BE(0);
        if (length > maxLength) throw new RangeError(`a message of ${length} bytes is too long`);
        const body = await rfile.readExactly(length);
        if (body.length < length) throw new Error('the connection ended');
        return body;
      }),
  };
}

const verdicts = new Queue<string>();

/** The echo handler: no byte is echoed before the client has proved it knows the key. */
async function echoHandler(h: StreamRequestHandler): Promise<void> {
  try {
    await deliverChallenge(frames(h.rfile, h.wfile), SECRET_KEY);
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
    await verdicts.put(`server: refused the client (${error.name}: ${error.message})`);
    return; // the server closes the connection
  }
  await verdicts.put('server: the client knows the key');
  for await (const line of h.rfile) await h.wfile.write(line);
}

/** Connects, authenticates with `key`, and sends `lines`: what the client saw. */
async function client(port: number, key: string, lines: string[]): Promise<string> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const rfile = new LineReader(socket);
  try {
    await answerChallenge(frames(rfile, new StreamWriter(socket)), key);
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
    socket.destroy();
    return `client: refused (${error.name}: ${error.message})`;
  }
  const echoed: string[] = [];
  for (const line of lines) {
    socket.write(`${line}\n`);
    echoed.push((await rfile.readline()).toString().trimEnd());
  }
  socket.end();
  return `client: echoed ${echoed.join(', ')}`;
}

{
  await using server = new TCPServer(['127.0.0.1', 0], echoHandler);
  const [, port] = await server.listen();
  for (const [who, key] of [
    ['a client with the right key', SECRET_KEY],
    ['a client with a wrong key', 'open sesame'],
  ] as const) {
    console.log(`${who}:`);
    const seen = await client(port, key, ['Hello', 'World']);
    console.log(`  ${await verdicts.get()}`);
    console.log(`  ${seen}`);
  }
}
