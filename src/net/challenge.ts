/**
 * HMAC-SHA256 challenge-response between two peers that share a secret key — what
 * Python's `multiprocessing.connection.deliver_challenge` / `answer_challenge` do. The
 * handshake frames are raw bytes (never decoded values), so a peer that does not know the
 * key learns nothing and gets nothing decoded. It runs over any byte-frame transport
 * (`FrameIO`): a `Connection`, or a raw socket with its own framing.
 * @module
 */

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { describe, invalidTimeout } from '../core/options.js';
import { AuthenticationError } from '../errors.js';
import { Connection } from '../pipe/pipe.js';
import { ConnectionHandle } from '../pipe/pipe-handle.js';

/** A frame transport the handshake runs over: whole byte messages each way. */
export interface FrameIO {
  /** Sends `bytes` as one frame. */
  sendBytes(bytes: Uint8Array): void | Promise<void>;
  /** The next frame; rejects when it is longer than `maxLength`, when `timeout` ms pass, or at end of input. */
  recvBytes(opts: { maxLength: number; timeout: number }): Promise<Uint8Array>;
}

/** A shared secret: bytes, or a string taken as UTF-8. */
export type AuthKey = Uint8Array | string;

/** Options of `deliverChallenge` / `answerChallenge`. */
export interface ChallengeOptions {
  /** How long to wait for each of the peer's frames, in ms (default 10 000). */
  timeout?: number | undefined;
}

/** Default bound of each wait of the handshake. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

const CHALLENGE = Buffer.from('#CHALLENGE#{sha256}', 'latin1');
const WELCOME = Buffer.from('#WELCOME#', 'latin1');
const FAILURE = Buffer.from('#FAILURE#', 'latin1');
/** Random bytes per challenge (Python uses 40 since 3.12). */
const NONCE_BYTES = 40;
const DIGEST_BYTES = 32;
/** Longest handshake frame accepted: no peer can make us buffer more than this before it is known. */
export const HANDSHAKE_FRAME_BYTES = 256;

/** Anything that has `sendBytes(buffer)` and `recvBytes(maxLength, { timeout })`, like a `Connection`. */
interface ConnectionLike {
  sendBytes(buffer: Uint8Array): Promise<void>;
  recvBytes(maxLength?: number, opts?: { timeout?: number }): Promise<Uint8Array>;
}

/**
 * Challenges the peer to prove it knows `authKey`: sends random bytes, expects their
 * HMAC-SHA256 under the key back, answers `#WELCOME#` or `#FAILURE#`. Rejects with
 * `AuthenticationError` when the answer is wrong, missing within `timeout`, malformed, or
 * the peer left. `conn` is a `Connection` or a `FrameIO`. A key that is not bytes or a
 * string is a TypeError, thrown at the call.
 *
 * @example
 * ```ts
 * const conn = await listener.accept();       // a Listener without authKey
 * await deliverChallenge(conn, 'secret');      // the client calls answerChallenge
 * await answerChallenge(conn, 'secret');       // and the other way round
 * ```
 */
export function deliverChallenge(
  conn: FrameIO | ConnectionLike,
  authKey: AuthKey,
  opts?: ChallengeOptions,
): Promise<void> {
  const key = keyBytes(authKey, 'deliverChallenge()');
  const timeout = handshakeTimeout(opts, 'deliverChallenge()');
  return deliver(frameIO(conn), key, timeout);
}

/**
 * Proves to the peer that this side knows `authKey`: receives its challenge, sends back
 * the HMAC-SHA256 of it, and expects `#WELCOME#`. Rejects with `AuthenticationError` when
 * the peer refuses the answer, sends no well-formed challenge within `timeout`, or leaves.
 * A key that is not bytes or a string is a TypeError, thrown at the call.
 *
 * @example
 * ```ts
 * const conn = await Client(address);          // a Client without authKey
 * await answerChallenge(conn, 'secret');
 * await deliverChallenge(conn, 'secret');
 * ```
 */
export function answerChallenge(
  conn: FrameIO | ConnectionLike,
  authKey: AuthKey,
  opts?: ChallengeOptions,
): Promise<void> {
  const key = keyBytes(authKey, 'answerChallenge()');
  const timeout = handshakeTimeout(opts, 'answerChallenge()');
  return answer(frameIO(conn), key, timeout);
}

/**
 * The mutual handshake as the accepting side runs it (challenge, then answer), or as the
 * connecting side runs it (answer, then challenge) — the order `Listener` and `Client` use.
 */
export async function authenticate(
  conn: FrameIO | ConnectionLike,
  key: Uint8Array,
  side: 'server' | 'client',
  timeout: number,
): Promise<void> {
  const io = frameIO(conn);
  if (side === 'server') {
    await deliver(io, key, timeout);
    await answer(io, key, timeout);
  } else {
    await answer(io, key, timeout);
    await deliver(io, key, timeout);
  }
}

async function deliver(io: FrameIO, key: Uint8Array, timeout: number): Promise<void> {
  const nonce = randomBytes(NONCE_BYTES);
  await guard(io.sendBytes(Buffer.concat([CHALLENGE, nonce])), 'send the challenge');
  const response = await guard(
    io.recvBytes({ maxLength: HANDSHAKE_FRAME_BYTES, timeout }),
    'receive the answer to the challenge',
  );
  const expected = digest(key, nonce);
  // timingSafeEqual needs equal lengths; the length of a digest is no secret.
  const good = response.byteLength === DIGEST_BYTES && timingSafeEqual(response, expected);
  if (!good) {
    await guard(io.sendBytes(FAILURE), 'send the refusal').catch(() => undefined);
    throw new AuthenticationError('the peer answered the challenge with a wrong digest');
  }
  await guard(io.sendBytes(WELCOME), 'send the welcome');
}

async function answer(io: FrameIO, key: Uint8Array, timeout: number): Promise<void> {
  const challenge = await guard(
    io.recvBytes({ maxLength: HANDSHAKE_FRAME_BYTES, timeout }),
    'receive a challenge',
  );
  if (
    challenge.byteLength !== CHALLENGE.byteLength + NONCE_BYTES ||
    !CHALLENGE.equals(challenge.subarray(0, CHALLENGE.byteLength))
  ) {
    throw new AuthenticationError(
      `the peer sent no well-formed challenge (${challenge.byteLength} bytes not starting with #CHALLENGE#{sha256})`,
    );
  }
  await guard(
    io.sendBytes(digest(key, challenge.subarray(CHALLENGE.byteLength))),
    'send the answer',
  );
  const reply = await guard(
    io.recvBytes({ maxLength: HANDSHAKE_FRAME_BYTES, timeout }),
    'receive the verdict on the answer',
  );
  if (!WELCOME.equals(reply)) {
    throw new AuthenticationError(
      FAILURE.equals(reply)
        ? 'the peer refused our answer to its challenge: the keys differ'
        : 'the peer sent neither #WELCOME# nor #FAILURE# after our answer',
    );
  }
}

function digest(key: Uint8Array, nonce: Uint8Array): Buffer {
  return createHmac('sha256', key).update(nonce).digest();
}

/** `step` as a promise whose failure is an AuthenticationError saying which step failed, with the cause. */
async function guard<T>(step: T | Promise<T>, what: string): Promise<T> {
  try {
    return await step;
  } catch (error) {
    if (error instanceof AuthenticationError) throw error;
    throw new AuthenticationError(
      `authentication failed: could not ${what}: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
}

/** `conn` as a `FrameIO`: a `Connection` (or a handle on one) takes `maxLength` and `timeout` positionally. */
function frameIO(conn: FrameIO | ConnectionLike): FrameIO {
  if (conn instanceof Connection || conn instanceof ConnectionHandle) {
    const c = conn as ConnectionLike;
    return {
      sendBytes: (bytes) => c.sendBytes(bytes),
      recvBytes: ({ maxLength, timeout }) => c.recvBytes(maxLength, { timeout }),
    };
  }
  if (
    conn === null ||
    typeof conn !== 'object' ||
    typeof conn.sendBytes !== 'function' ||
    typeof conn.recvBytes !== 'function'
  ) {
    throw new TypeError(
      `challenge: conn must be a Connection or a { sendBytes, recvBytes } frame transport, got ${describe(conn)}`,
    );
  }
  return conn as FrameIO;
}

/** Checks an `authKey` at the call that received it and returns its bytes. */
export function keyBytes(authKey: unknown, where: string): Uint8Array {
  if (typeof authKey === 'string') return Buffer.from(authKey, 'utf8');
  if (authKey instanceof Uint8Array) return authKey;
  throw new TypeError(
    `${where}: authKey must be a Buffer, a Uint8Array or a string, got ${describe(authKey)}`,
  );
}

/** Checks `opts.timeout` of a handshake and returns it (default 10 s). */
export function handshakeTimeout(opts: ChallengeOptions | undefined, where: string): number {
  if (opts === undefined) return DEFAULT_HANDSHAKE_TIMEOUT;
  if (opts === null || typeof opts !== 'object') {
    throw new TypeError(
      `${where}: options must be an object like { timeout }, got ${describe(opts)}`,
    );
  }
  if (opts.timeout === undefined) return DEFAULT_HANDSHAKE_TIMEOUT;
  const invalid = invalidTimeout(opts.timeout, where);
  if (invalid) throw invalid;
  return opts.timeout;
}
