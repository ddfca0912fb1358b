/**
 * The child-process transport of the executor core: each worker is a forked Node process
 * running pool-process.ts, with V8 serialization on its IPC channel and a pipe beside it
 * that the child writes synchronously (reply-pipe.ts): the count of tasks it started, and
 * at exit the replies the channel may not have carried. Replies are numbered, so one that
 * arrives both ways is delivered once, and in order when the pipe outruns the channel
 * (`ReplySequence`). The worker's end is reported on `close`, once
 * everything it wrote has been read.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { deserialize } from 'node:v8';
import { forkWeftChild } from '../../process/reaper.js';
import type { Transport, WorkerEvents, WorkerLink } from '../transport.js';
import {
  FINAL_FRAME,
  FrameReader,
  PIPE_FD,
  REPLIES,
  type Replies,
  ReplySequence,
  STARTED_FRAME,
} from './reply-pipe.js';

const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './pool-process.ts' : './pool-process.js',
  import.meta.url,
);

/** Starts pool workers as child processes. */
export class ProcessTransport implements Transport {
  readonly kind = 'process' as const;

  spawn(events: WorkerEvents): WorkerLink {
    const stdio: ('inherit' | 'ipc' | 'pipe')[] = ['inherit', 'inherit', 'inherit', 'ipc'];
    stdio[PIPE_FD] = 'pipe';
    const child = forkWeftChild(ENTRY, { stdio });
    let started = 0;
    const replies = new ReplySequence((reply) => events.onMessage(reply));
    const pipe = child.stdio[PIPE_FD] as Readable;
    const reader = new FrameReader((kind, body) => {
      if (kind === STARTED_FRAME) started = body.readUInt32LE(0);
      else if (kind === FINAL_FRAME) replies.push(deserialize(body) as Replies);
    });
    pipe.on('data', (chunk: Buffer) => reader.push(chunk));
    let cause: unknown;
    child.on('message', (message: Replies) => {
      if (message?.[REPLIES] !== undefined) replies.push(message);
      // Anything else is a task's own process.send: not the runtime's.
    });
    child.on('error', (error) => {
      cause = error;
    });
    child.on('close', (code, signal) => {
      events.onExit(code ?? -(constants.signals[signal as NodeJS.Signals] ?? 0), cause);
    });
    return {
      send: (message) => {
        child.send(message as object);
      },
      terminate: () => {
        // An idle child is unreferenced: keep the loop alive until its exit is seen, or a
        // shutdown awaiting that exit would find the loop empty and never resolve.
        setRef(child, pipe, true);
        child.kill('SIGKILL');
      },
      ref: () => setRef(child, pipe, true),
      unref: () => setRef(child, pipe, false),
      started: () => started,
    };
  }
}

function setRef(child: ChildProcess, pipe: Readable, on: boolean): void {
  const channel = child.channel as { ref(): void; unref(): void } | undefined;
  const handle = pipe as Readable & { ref?(): void; unref?(): void };
  if (on) {
    child.ref();
    channel?.ref();
    handle.ref?.();
  } else {
    child.unref();
    channel?.unref();
    handle.unref?.();
  }
}
