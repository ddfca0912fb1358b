/**
 * The record a pool process keeps beside its IPC channel: a file the parent opened for it
 * (and unlinked at once, so that nothing is left behind whatever happens), which the child
 * writes synchronously, so that what it says there survives its sudden exit, and which the
 * parent reads only once the child is gone. At offset 0, the count of tasks started (u32),
 * rewritten in place before each task: the parent needs it only after a crash, and a file
 * (unlike a pipe) wakes nobody up for each task. From offset 4, written at exit: the replies
 * not confirmed sent on the channel (u32 length, then the V8-serialized `Replies`).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize } from 'node:v8';

/** The child's file descriptor for its record. */
export const RECORD_FD = 4;

/** The key of a message carrying replies of the child, in order. */
export const REPLIES = '$weftReplies';

/** Replies numbered from `first` in the child's stream of replies (so a copy is recognised). */
export interface Replies {
  readonly [REPLIES]: unknown[];
  readonly first: number;
  /** How long the child ran the batches these replies end, in ms, and how many tasks they held. */
  busy?: [ms: number, tasks: number];
}

const STARTED_AT = 0;
const SAVED_AT = 4;

/** Parent side: a new, empty record for one child, already unlinked; its file descriptor. */
export function openRecord(): number {
  const path = join(tmpdir(), `weft-pool-${process.pid}-${randomUUID()}`);
  const fd = openSync(path, 'w+', 0o600);
  unlinkSync(path);
  return fd;
}

const count = Buffer.alloc(4);

/** Child side: `started` tasks have started (the last one is running). */
export function recordStarted(started: number): void {
  count.writeUInt32LE(started, 0);
  writeAll(count, STARTED_AT);
}

/** Child side, at exit: the replies the channel may not have carried, serialized. */
export function recordSaved(body: Uint8Array): void {
  const framed = Buffer.allocUnsafe(4 + body.length);
  framed.writeUInt32LE(body.length, 0);
  framed.set(body, 4);
  writeAll(framed, SAVED_AT);
}

function writeAll(bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) {
    done += writeSync(RECORD_FD, bytes, done, bytes.length - done, position + done);
  }
}

/** Parent side: how many tasks the child has started, as recorded so far. */
export function readStarted(fd: number): number {
  const bytes = Buffer.alloc(4);
  return readAll(fd, bytes, STARTED_AT) === 4 ? bytes.readUInt32LE(0) : 0;
}

/** Parent side, once the child is gone: the replies it saved at exit, if any. */
export function readSaved(fd: number): Replies | undefined {
  const head = Buffer.alloc(4);
  if (readAll(fd, head, SAVED_AT) < 4) return undefined;
  const body = Buffer.alloc(head.readUInt32LE(0));
  if (body.length === 0 || readAll(fd, body, SAVED_AT + 4) < body.length) return undefined;
  return deserialize(body) as Replies;
}

/** Parent side: done with the record (the child is gone, or never started). */
export function closeRecord(fd: number): void {
  closeSync(fd);
}

/** Reads up to `bytes.length` bytes at `position`; how many there were. */
function readAll(fd: number, bytes: Uint8Array, position: number): number {
  let done = 0;
  while (done < bytes.length) {
    const read = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}
