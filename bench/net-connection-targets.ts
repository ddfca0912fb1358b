/**
 * What the child of the Listener/Client benchmark runs (bench/net-connection.ts): portable,
 * so a child process finds it by importing this module. It connects once and serves every
 * round: each message received is sent straight back, until end of input.
 * @module
 */
import { Client, EOFError, portable } from 'weft';

/** Connects to `address` with `authKey` and echoes every message until the listener closes. */
export const echoMessages = portable(
  import.meta.url,
  async (address: [string, number], authKey: string): Promise<void> => {
    await using conn = await Client(address, { authKey });
    for (;;) {
      let message: unknown;
      try {
        message = await conn.recv();
      } catch (error) {
        if (error instanceof EOFError) return;
        throw error;
      }
      await conn.send(message);
    }
  },
);
