/**
 * The pipe beside a pool process's IPC channel, written synchronously by the child so that
 * what it says there survives its sudden exit: frames of `[kind: u8, length: u32, body]`.
 * `STARTED_FRAME`: the count of tasks started (u32). `FINAL_FRAME`: at exit, the replies
 * not confirmed sent on the channel (V8-serialized `Replies`).
 * @module
 */
import { writeSync } from 'node:fs';

/** The child's file descriptor for the pipe. */
export const PIPE_FD = 4;
export const STARTED_FRAME = 0;
export const FINAL_FRAME = 1;

/** The key of a message carrying replies of the child, in order. */
export const REPLIES = '$weftReplies';

/** Replies numbered from `first` in the child's stream of replies (so a copy is recognised). */
export interface Replies {
  readonly [REPLIES]: unknown[];
  readonly first: number;
}

/** Child side: writes one frame, all of it, before returning. */
export function writeFrame(kind: number, body: Uint8Array): void {
  const frame = Buffer.allocUnsafe(5 + body.length);
  frame.writeUInt8(kind, 0);
  frame.writeUInt32LE(body.length, 1);
  frame.set(body, 5);
  let offset = 0;
  while (offset < frame.length) {
    try {
      offset += writeSync(PIPE_FD, frame, offset);
    } catch (error) {
      // The pipe is non-blocking: when it is full, wait for the parent to read.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

/** Parent side: splits what arrives on the pipe into frames. */
export class FrameReader {
  private pending: Buffer | undefined = undefined;

  constructor(private readonly onFrame: (kind: number, body: Buffer) => void) {}

  push(chunk: Buffer): void {
    const data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    while (data.length - offset >= 5) {
      const length = data.readUInt32LE(offset + 1);
      if (data.length - offset - 5 < length) break;
      this.onFrame(data.readUInt8(offset), data.subarray(offset + 5, offset + 5 + length));
      offset += 5 + length;
    }
    this.pending = offset < data.length ? Buffer.from(data.subarray(offset)) : undefined;
  }
}

/**
 * Parent side: the child's replies in order, each once, from batches that arrive both ways
 * — on the channel, and at exit on the pipe. The pipe can outrun the channel: a batch the
 * child saw written to the channel (so left out of its final frame) may not be read yet
 * when the final frame is. A batch that starts past the replies delivered so far waits
 * for the ones before it, which the channel still brings before it closes.
 */
export class ReplySequence {
  private received = 0;
  private readonly ahead: Replies[] = [];

  constructor(private readonly onReply: (reply: unknown) => void) {}

  push(batch: Replies): void {
    if (batch.first > this.received) {
      this.ahead.push(batch);
      return;
    }
    const replies = batch[REPLIES];
    // Skip what arrived already (a batch both sent and saved at exit).
    for (let i = this.received - batch.first; i < replies.length; i++) {
      this.received++;
      this.onReply(replies[i]);
    }
    const next = this.ahead.findIndex((waiting) => waiting.first <= this.received);
    if (next >= 0) this.push(this.ahead.splice(next, 1)[0]!);
  }
}
