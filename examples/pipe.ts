// Python's multiprocessing.Pipe: two connected ends; what one sends, the other receives, in
// order. Pass an end to a Process (or a Thread) and it arrives there as a handle on the same
// end. Closing an end gives the other side everything sent before it, then EOFError.
import { EOFError, isMainModule, Pipe, type PipeEnd, Process, portable } from 'weft';

/** The multiprocessing docs' first Pipe example: send a list, close the end. */
export const f = portable(import.meta.url, async function f(conn: PipeEnd<unknown[]>) {
  await conn.send([42, null, 'hello']);
  await conn.close();
});

/** A worker that answers questions until the other end closes. */
export const squarer = portable(
  import.meta.url,
  async function squarer(conn: PipeEnd<number, number>): Promise<number> {
    let answered = 0;
    try {
      for (;;) {
        const n = await conn.recv();
        await conn.send(n * n);
        answered++;
      }
    } catch (err) {
      if (!(err instanceof EOFError)) throw err;
    }
    return answered;
  },
);

/** Reads raw bytes messages and says how long each was. */
export const measure = portable(
  import.meta.url,
  async function measure(conn: PipeEnd<string, unknown>): Promise<void> {
    for (;;) {
      const bytes = await conn.recvBytes();
      if (bytes.byteLength === 0) break;
      await conn.send(`${bytes.byteLength} bytes: ${new TextDecoder().decode(bytes)}`);
    }
  },
);

if (isMainModule(import.meta)) {
  // The docs' example: the child sends, the parent receives.
  {
    const [parentConn, childConn] = Pipe<unknown[]>();
    const child = new Process(f, { args: [childConn] });
    child.start();
    console.log(await parentConn.recv()); // [ 42, null, 'hello' ]
    await child.join();
    // The child closed its end: nothing more will come.
    const eof = await parentConn.recv().catch((err: Error) => err.name);
    console.log(`then: ${eof}`);
  }

  // Request and reply over one duplex pipe; closing our end stops the worker's loop.
  {
    const [conn, workerConn] = Pipe<number>();
    const worker = new Process(squarer, { args: [workerConn] });
    worker.start();
    const squares: number[] = [];
    for (const n of [2, 3, 4]) {
      await conn.send(n);
      squares.push(await conn.recv());
    }
    console.log(`squares: ${squares.join(' ')}`);
    // poll() only looks: nothing is waiting now. recv's timeout rejects with TimeoutError.
    console.log(`anything waiting: ${await conn.poll()}`);
    console.log(
      `recv in 20 ms: ${await conn.recv({ timeout: 20 }).catch((err: Error) => err.name)}`,
    );
    conn.close();
    await worker.join();
    console.log(`the worker answered ${worker.result} questions`);
  }

  // Raw bytes keep their message boundaries; offset and size pick a range of a buffer.
  {
    const [conn, workerConn] = Pipe<unknown, string>();
    const worker = new Process(measure, { args: [workerConn] });
    worker.start();
    const text = new TextEncoder().encode('hello, world');
    await conn.sendBytes(text);
    await conn.sendBytes(text, 7, 5);
    console.log(await conn.recv());
    console.log(await conn.recv());
    await conn.sendBytes(new Uint8Array(0));
    await worker.join();
  }

  // Pipe(false): [reader, writer]. Each end goes one way only.
  {
    const [reader, writer] = Pipe<string>(false);
    await writer.send('one way');
    console.log(await reader.recv());
    const refused = await writer.recv().catch((err: Error) => err.name);
    console.log(`the writer cannot recv: ${refused}`);
  }
}
