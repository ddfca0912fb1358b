/**
 * The child-process transport of the executor core: each worker is a forked Node process
 * running pool-process.ts, with V8 serialization on its IPC channel and beside it a record
 * the child writes synchronously (exit-record.ts): the count of tasks it started, and at
 * exit the replies the channel may not have carried. Replies are numbered, so one that
 * arrives both ways is delivered once. The worker's end is reported on `close`, once
 * everything it sent on the channel has been read; then its record is read.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { forkWeftChild } from '../../process/reaper.js';
import type { Transport, WorkerEvents, WorkerLink } from '../transport.js';
import {
  closeRecord,
  openRecord,
  RECORD_FD,
  REPLIES,
  type Replies,
  readSaved,
  readStarted,
} from './exit-record.js';

const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './pool-process.ts' : './pool-process.js',
  import.meta.url,
);

/** Starts pool workers as child processes. */
export class ProcessTransport implements Transport {
  readonly kind = 'process' as const;
  readonly batchedReplies = true;

  spawn(events: WorkerEvents): WorkerLink {
    const record = openRecord();
    const stdio: ('inherit' | 'ipc' | number)[] = ['inherit', 'inherit', 'inherit', 'ipc'];
    stdio[RECORD_FD] = record;
    let child: ChildProcess;
    try {
      child = forkWeftChild(ENTRY, { stdio });
    } catch (error) {
      closeRecord(record);
      throw error;
    }
    let received = 0;
    const deliver = (message: Replies) => {
      const replies = message[REPLIES];
      // Replies are matched to tasks by their order: after a gap, none could be matched.
      if (message.first > received) return;
      // Skip what arrived already (a batch both sent and saved at exit).
      for (let i = Math.max(0, received - message.first); i < replies.length; i++) {
        received++;
        events.onMessage(replies[i]);
      }
      if (message.busy !== undefined) events.onServiceTime?.(message.busy[0], message.busy[1]);
    };
    let cause: unknown;
    child.on('message', (message: Replies) => {
      if (message?.[REPLIES] !== undefined) deliver(message);
      // Anything else is a task's own process.send: not the runtime's.
    });
    child.on('error', (error) => {
      cause = error;
    });
    // 'close' comes once the process exited and its channel is drained: the replies it
    // saved at exit come after every one the channel carried, as numbering needs.
    let started: number | undefined;
    child.on('close', (code, signal) => {
      started = readStarted(record);
      const saved = readSaved(record);
      closeRecord(record);
      if (saved !== undefined) deliver(saved);
      events.onExit(code ?? -(constants.signals[signal as NodeJS.Signals] ?? 0), cause);
    });
    return {
      id: child.pid ?? 0,
      send: (message) => {
        child.send(message as object);
      },
      terminate: () => {
        // An idle child is unreferenced: keep the loop alive until its exit is seen, or a
        // shutdown awaiting that exit would find the loop empty and never resolve.
        setRef(child, true);
        child.kill('SIGKILL');
      },
      ref: () => setRef(child, true),
      unref: () => setRef(child, false),
      started: () => started ?? readStarted(record),
    };
  }
}

function setRef(child: ChildProcess, on: boolean): void {
  const channel = child.channel as { ref(): void; unref(): void } | undefined;
  if (on) {
    child.ref();
    channel?.ref();
  } else {
    child.unref();
    channel?.unref();
  }
}
