/**
 * Actor message throughput: 1 000 000 messages sent to one weft Actor, which receives them
 * and checks that its i-th message is i; then `close()` and `join()`, and the count of
 * messages received is checked. Both ways of writing an actor (a `run()` loop of
 * `await this.recv()`, and a `{ handler }`), each with two senders: `await actor.send(i)`
 * and `actor.sendNowait(i)` (the unbounded mailbox's fast path, which never waits). Against
 * the Cookbook's Python actor: a thread taking messages from a queue.Queue. No aim is set;
 * the table gives the ratio to Python.
 * @module
 */
import { Actor } from 'weft';
import {
  type Contender,
  makeTable,
  measure,
  pythonRow,
  runPython,
  type Settings,
  type Table,
} from './harness.js';

const RUN_AWAIT = 'weft Actor, run() + recv(), await send(i)';
const RUN_NOWAIT = 'weft Actor, run() + recv(), sendNowait(i)';
const HANDLER_AWAIT = 'weft Actor, handler, await send(i)';
const HANDLER_NOWAIT = 'weft Actor, handler, sendNowait(i)';
const PYTHON = 'Python thread + queue.Queue actor';
const PYTHON_ONE_CPU = 'Python thread actor, pinned to 1 CPU';

/** The actor's message number `count` was not `count`: lost, duplicated or reordered. */
function wrongMessage(msg: number, count: number): never {
  throw new Error(`the actor's message ${count} is ${msg}`);
}

/** Throws unless the actor received all `messages` (each was checked on arrival). */
function checkCount(count: number, messages: number): void {
  if (count !== messages) throw new Error(`the actor received ${count} of ${messages} messages`);
}

/** The Cookbook's form: `run()` takes each message with `recv()` until `close()` ends it. */
class Counter extends Actor<number> {
  count = 0;

  protected override async run(): Promise<void> {
    for (;;) {
      const msg = await this.recv();
      if (msg !== this.count) wrongMessage(msg, this.count);
      this.count++;
    }
  }
}

// Each sender is written out on its own on purpose: closures made from one shared function
// share V8's type feedback, which would slow every contender down.

async function runAwaited(messages: number): Promise<void> {
  const actor = new Counter().start();
  for (let i = 0; i < messages; i++) await actor.send(i);
  actor.close();
  await actor.join();
  checkCount(actor.count, messages);
}

async function runNowait(messages: number): Promise<void> {
  const actor = new Counter().start();
  for (let i = 0; i < messages; i++) actor.sendNowait(i);
  actor.close();
  await actor.join();
  checkCount(actor.count, messages);
}

async function handlerAwaited(messages: number): Promise<void> {
  let count = 0;
  const actor = new Actor<number>({
    handler: (msg) => {
      if (msg !== count) wrongMessage(msg, count);
      count++;
    },
  }).start();
  for (let i = 0; i < messages; i++) await actor.send(i);
  actor.close();
  await actor.join();
  checkCount(count, messages);
}

async function handlerNowait(messages: number): Promise<void> {
  let count = 0;
  const actor = new Actor<number>({
    handler: (msg) => {
      if (msg !== count) wrongMessage(msg, count);
      count++;
    },
  }).start();
  for (let i = 0; i < messages; i++) actor.sendNowait(i);
  actor.close();
  await actor.join();
  checkCount(count, messages);
}

function contenders(messages: number): Contender[] {
  return [
    { name: RUN_AWAIT, run: () => runAwaited(messages) },
    { name: RUN_NOWAIT, run: () => runNowait(messages) },
    { name: HANDLER_AWAIT, run: () => handlerAwaited(messages) },
    { name: HANDLER_NOWAIT, run: () => handlerNowait(messages) },
  ];
}

export async function actorSuites(settings: Settings): Promise<Table[]> {
  const messages = settings.actorMessages;
  settings.log(
    `Actor: Python thread actor (python3 subprocess, ${messages} messages, ${settings.rounds} rounds)`,
  );
  const python = runPython('thread_actor.py', [messages, settings.rounds]);
  settings.log(`Actor: ${messages} messages per run`);
  const rows = await measure(contenders(messages), messages, settings);
  return [
    makeTable({
      title: `Actor send + receive (${messages.toLocaleString('en')} messages, then close + join)`,
      unit: 'msgs/s',
      ops: messages,
      references: [PYTHON, PYTHON_ONE_CPU],
      rows: [
        ...rows,
        pythonRow(PYTHON, python, 'free'),
        pythonRow(PYTHON_ONE_CPU, python, 'one_cpu'),
      ],
      targets: [],
      comparisons: [
        { subject: RUN_AWAIT, reference: PYTHON },
        { subject: RUN_NOWAIT, reference: PYTHON },
        { subject: RUN_AWAIT, reference: PYTHON_ONE_CPU },
        { subject: RUN_NOWAIT, reference: PYTHON_ONE_CPU },
      ],
      notes: [
        'weft: unbounded mailbox; the actor checks that its i-th message is i, and the run ' +
          'that it received them all (Python the same). ' +
          '`await send(i)` yields to the event loop once per message, so sender and actor ' +
          'alternate; `sendNowait(i)` fills the mailbox and the actor drains it after.',
        "Python (bench/python/thread_actor.py): the Cookbook's Actor, a threading.Thread " +
          'taking messages from an unbounded queue.Queue; the main thread `send`s (a put ' +
          'that never blocks, like sendNowait), then a sentinel, and joins. Both threads ' +
          'contend for the GIL: on two idle cores they hand it across cores, which is much ' +
          'slower than taking turns on one, so the first Python row is fastest when the ' +
          'machine is busy. The second pins both threads to one CPU (os.sched_setaffinity).',
      ],
    }),
  ];
}
