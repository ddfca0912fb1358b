// Python's multiprocessing.connection.Listener and Client: a listener with an authKey, a
// child process that connects with Client and answers, and a client with the wrong key,
// turned away with AuthenticationError on both sides while the listener goes on.
import {
  AuthenticationError,
  Client,
  EOFError,
  isMainModule,
  Listener,
  Process,
  portable,
} from 'weft';

const KEY = 'secret password';

/** Connects to the listener and squares every number it receives, until end of input. */
export const squarer = portable(
  import.meta.url,
  async function squarer(address: [string, number]): Promise<number> {
    await using conn = await Client(address, { authKey: KEY });
    let answered = 0;
    for (;;) {
      let n: number;
      try {
        n = (await conn.recv()) as number;
      } catch (error) {
        if (error instanceof EOFError) return answered;
        throw error;
      }
      await conn.send({ n, square: n * n });
      answered++;
    }
  },
);

if (isMainModule(import.meta)) {
  await using listener = new Listener(['127.0.0.1', 0], { authKey: KEY });
  const address = (await listener.listen()) as [string, number];

  // A client with the wrong key: both sides get AuthenticationError.
  const [accepted, connected] = await Promise.allSettled([
    listener.accept(),
    Client(address, { authKey: 'guess' }),
  ]);
  for (const [side, outcome] of [
    ['listener', accepted],
    ['intruder', connected],
  ] as const) {
    const refused = outcome.status === 'rejected' && outcome.reason instanceof AuthenticationError;
    console.log(`${side}: ${refused ? 'AuthenticationError' : 'accepted?!'}`);
  }

  // The listener goes on: a child process connects with the right key.
  const child = new Process(squarer, { args: [address] });
  child.start();
  const conn = await listener.accept();
  for (const n of [2, 3, 12]) {
    await conn.send(n);
    console.log(await conn.recv());
  }
  conn.close();
  await child.join();
  console.log(`the child answered ${child.result} questions`);
}
