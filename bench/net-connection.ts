/**
 * Listener/Client small-object messages between two processes, against Python's
 * `multiprocessing.connection`: a child connects (authenticated) and echoes every message.
 * Streamed: the parent sends a round's messages while it receives their echoes, and the
 * round ends with the last echo. Ping-pong: one message out, its echo back, then the next.
 * Aims (issue 13): at least 3x Python streamed, 1.2x Python ping-pong.
 *
 * The child starts once, before the warm-up round, and serves every round. Each round is
 * checked: every echo is the message sent, in order.
 * @module
 */
import { type Connection, Listener, Process } from 'weft';
import { makeTable, measure, pythonRow, runPython, type Settings, type Table } from './harness.js';
import { echoMessages } from './net-connection-targets.js';
import { type RawEchoPair, rawEchoPair } from './peers/raw-connection.js';

const WEFT = 'weft Listener/Client, child process';
const PY = 'Python multiprocessing.connection, child process';
const RAW = 'bare Node socket pair, JSON frames (floor)';
const KEY = 'bench key';

/** The small object every message carries (its `id` changes), as the Python script sends it. */
function message(id: number): { id: number; name: string; qty: number; tags: string[] } {
  return { id, name: 'order', qty: 3, tags: ['a', 'b'] };
}

function check(echo: unknown, id: number): void {
  const got = echo as { id?: unknown; tags?: unknown[] };
  if (got?.id !== id || got.tags?.length !== 2) {
    throw new Error(`net-connection bench: echo ${JSON.stringify(echo)} is not message ${id}`);
  }
}

async function streamed(conn: Connection, count: number): Promise<void> {
  const sending = (async () => {
    for (let i = 0; i < count; i++) await conn.send(message(i));
  })();
  for (let i = 0; i < count; i++) check(await conn.recv(), i);
  await sending;
}

async function pingPong(conn: Connection, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await conn.send(message(i));
    check(await conn.recv(), i);
  }
}

async function rawStreamed(pair: RawEchoPair, count: number): Promise<void> {
  for (let i = 0; i < count; i++) pair.send(message(i));
  for (let i = 0; i < count; i++) check(await pair.next(), i);
}

async function rawPingPong(pair: RawEchoPair, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    pair.send(message(i));
    check(await pair.next(), i);
  }
}

export async function netConnectionSuites(settings: Settings): Promise<Table[]> {
  const streamCount = settings.quick ? 5_000 : 50_000;
  const pingCount = settings.quick ? 1_000 : 10_000;
  settings.log(
    `net-connection: Python multiprocessing.connection (python3 subprocess, ${streamCount} streamed, ${pingCount} ping-pong, ${settings.rounds} rounds)`,
  );
  const python = runPython('connection.py', [streamCount, pingCount, settings.rounds]);

  settings.log('net-connection: weft Listener/Client with a child process');
  const listener = new Listener(['127.0.0.1', 0], { authKey: KEY });
  const address = (await listener.listen()) as [string, number];
  const child = new Process(echoMessages, { args: [address, KEY] });
  child.start();
  const raw = await rawEchoPair();
  let streamRows: Awaited<ReturnType<typeof measure>>;
  let pingRows: Awaited<ReturnType<typeof measure>>;
  try {
    const conn = await listener.accept({ timeout: 120_000 });
    try {
      streamRows = await measure(
        [
          { name: WEFT, run: () => streamed(conn, streamCount) },
          { name: RAW, run: () => rawStreamed(raw, streamCount) },
        ],
        streamCount,
        settings,
      );
      pingRows = await measure(
        [
          { name: WEFT, run: () => pingPong(conn, pingCount) },
          { name: RAW, run: () => rawPingPong(raw, pingCount) },
        ],
        pingCount,
        settings,
      );
    } finally {
      conn.close();
    }
    await child.join({ timeout: 60_000 });
  } finally {
    listener.close();
    await raw.close();
    if (child.isAlive()) await child.kill();
  }

  const note =
    'messages are small objects ({ id, name, qty, tags: [2 strings] }) over TCP on 127.0.0.1 ' +
    'with an authKey; the child connects once and echoes every message; every echo is checked.';
  const rawNote =
    'the floor (bench/peers/raw-connection.ts) does the same job with bare Node: a child ' +
    'process echoes JSON messages behind a 4-byte length over a plain socket, both ends ' +
    'parsing and encoding each one (no authentication, no message types, no limits); streamed, ' +
    'it writes every message of the round before it reads.';
  return [
    makeTable({
      title: `Listener/Client streamed (${streamCount.toLocaleString('en')} messages out and back per run)`,
      unit: 'round trips/s',
      ops: streamCount,
      references: [PY],
      rows: [...streamRows, pythonRow(PY, python, 'streamed')],
      targets: [{ subject: WEFT, reference: PY, atLeast: 3 }],
      comparisons: [
        { subject: WEFT, reference: RAW },
        { subject: RAW, reference: PY },
      ],
      notes: [note, rawNote],
    }),
    makeTable({
      title: `Listener/Client ping-pong (${pingCount.toLocaleString('en')} round trips per run)`,
      unit: 'round trips/s',
      ops: pingCount,
      references: [PY],
      rows: [...pingRows, pythonRow(PY, python, 'ping-pong')],
      targets: [{ subject: WEFT, reference: PY, atLeast: 1.2 }],
      comparisons: [
        { subject: WEFT, reference: RAW },
        { subject: RAW, reference: PY },
      ],
      notes: [note, rawNote],
    }),
  ];
}
