/**
 * The floors of the handles benchmark: what a thread or a process can do with no weft at
 * all. A worker thread taking plain `postMessage`s (one per item, checked in order), and a
 * child process echoing whatever it reads (one round trip per write). No weft import.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/** A worker that counts the numbers posted to it in order, and answers the count at -1. */
const COUNTING_WORKER = `
const { parentPort } = require('node:worker_threads');
let expected = 0;
let inOrder = true;
parentPort.on('message', (item) => {
  if (item === -1) {
    parentPort.postMessage(inOrder ? expected : -3);
    expected = 0;
    inOrder = true;
  } else if (item === expected) expected++;
  else inOrder = false;
});
`;

/** A child process writing back every chunk it reads. */
const ECHO_CHILD = "process.stdin.on('data', (chunk) => process.stdout.write(chunk));";

export interface RawLink {
  /** One round: `count` items or round trips, checked; throws when one went missing. */
  round(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Raw `postMessage` of 0..count-1 to a worker thread, which checks their order. */
export function rawPostMessage(): RawLink {
  const worker = new Worker(COUNTING_WORKER, { eval: true });
  return {
    async round(count) {
      const answer = once(worker, 'message');
      for (let i = 0; i < count; i++) worker.postMessage(i);
      worker.postMessage(-1);
      const [received] = (await answer) as [number];
      if (received !== count) throw new Error(`the worker got ${received} of ${count} in order`);
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** Raw round trips to a child process over its stdin and stdout: one byte out, one back. */
export function rawRoundTrips(): RawLink {
  const child: ChildProcess = spawn(process.execPath, ['-e', ECHO_CHILD], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const byte = Buffer.from([1]);
  return {
    async round(count) {
      const stdout = child.stdout!;
      let received = 0;
      let answered: () => void = () => {};
      const onData = (chunk: Buffer): void => {
        received += chunk.length;
        answered();
      };
      stdout.on('data', onData);
      try {
        for (let i = 0; i < count; i++) {
          const echoed = new Promise<void>((resolve) => {
            answered = resolve;
          });
          child.stdin!.write(byte);
          await echoed;
        }
      } finally {
        stdout.off('data', onData);
      }
      if (received !== count) throw new Error(`the child echoed ${received} of ${count} bytes`);
    },
    async close() {
      child.stdin!.end();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}
