/**
 * Lua scripts run by SHA (`EVALSHA`), loaded on first use or after a Redis restart emptied
 * the script cache: each state change of a Redis-scope object is one script, so no other
 * client ever sees half of it.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

type Arg = string | number | Buffer;

/** One Lua script, identified by its SHA-1. */
export class LuaScript {
  /** The script's SHA-1, as `EVALSHA` names it. */
  readonly sha: string;

  constructor(
    /** For messages. */
    readonly name: string,
    readonly lua: string,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Runs the script; replies come back as strings. */
  run(client: Redis, keys: readonly string[], args: readonly Arg[] = []): Promise<unknown> {
    return client
      .evalsha(this.sha, keys.length, ...keys, ...args)
      .catch((error: unknown) =>
        isNoScript(error)
          ? client.eval(this.lua, keys.length, ...keys, ...args)
          : Promise.reject(error),
      );
  }

  /**
   * Runs the script; bulk replies come back as Buffers (for payloads that are not text).
   * `evalshaBuffer`, not `callBuffer('EVALSHA', …)`: with auto-pipelining, ioredis 6 drops
   * the command name of `callBuffer` and sends the SHA as the command.
   */
  runBuffer(client: Redis, keys: readonly string[], args: readonly Arg[] = []): Promise<unknown> {
    const buffers = client as unknown as BufferScripting;
    return buffers
      .evalshaBuffer(this.sha, keys.length, ...keys, ...args)
      .catch((error: unknown) =>
        isNoScript(error)
          ? buffers.evalBuffer(this.lua, keys.length, ...keys, ...args)
          : Promise.reject(error),
      );
  }
}

/** The Buffer-replying scripting commands every ioredis client has (its typings leave them out). */
interface BufferScripting {
  evalshaBuffer(...args: (string | number | Buffer)[]): Promise<unknown>;
  evalBuffer(...args: (string | number | Buffer)[]): Promise<unknown>;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
