// The load of bench/net-server.ts, in a process of its own so that it never takes the
// event loop of the server it measures: CLIENTS connections to 127.0.0.1:PORT each send
// LINES lines of 1 KiB, one at a time (reqresp: the next once the echo is back) or all at
// once (pipelined), and check that every byte comes back. In connect mode each of CLIENTS
// clients makes LINES connections in turn, each of which sends one line, reads its echo and
// closes. Prints lines (one per connection in connect mode) per second.
// usage: node echo-clients.mjs PORT CLIENTS LINES reqresp|pipelined|connect
import { connect } from 'node:net';

const [port, clients, lines] = process.argv.slice(2, 5).map(Number);
const mode = process.argv[5];
const LINE = Buffer.from(`${'x'.repeat(1023)}\n`);

function client() {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    const expected = lines * LINE.length;
    let received = 0;
    let sent = 0;
    socket.on('error', reject);
    socket.on('connect', () => {
      if (mode === 'pipelined') {
        const more = () => {
          while (sent < lines) {
            sent++;
            if (!socket.write(LINE)) return socket.once('drain', more);
          }
        };
        more();
      } else {
        sent = 1;
        socket.write(LINE);
      }
    });
    socket.on('data', (chunk) => {
      received += chunk.length;
      if (mode !== 'pipelined' && received === sent * LINE.length && sent < lines) {
        sent++;
        socket.write(LINE);
      }
      if (received >= expected) {
        socket.end();
        resolve();
      }
    });
    socket.on('close', () => {
      if (received < expected)
        reject(new Error(`connection closed after ${received} of ${expected} bytes`));
    });
  });
}

/** One connection of connect mode: connect, one line, its echo back, close. */
function oneLine() {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    let received = 0;
    socket.on('error', reject);
    socket.on('connect', () => socket.write(LINE));
    socket.on('data', (chunk) => {
      received += chunk.length;
      if (received >= LINE.length) socket.end();
    });
    socket.on('close', () => {
      if (received === LINE.length) resolve();
      else reject(new Error(`connection closed after ${received} of ${LINE.length} bytes`));
    });
  });
}

async function connectingClient() {
  for (let i = 0; i < lines; i++) await oneLine();
}

const start = performance.now();
await Promise.all(Array.from({ length: clients }, mode === 'connect' ? connectingClient : client));
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ rate: (clients * lines) / seconds }));
