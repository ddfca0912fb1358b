// A pipe end passed to a Thread arrives as a ConnectionHandle on the same end: ping-pong across
// threads, EOF in both directions, bytes, the { timeout, signal } guarantees of a handle's
// waits, one-way ends, and no hang when the thread that owns the pipe is gone.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  type Connection,
  ConnectionHandle,
  EOFError,
  HandleClosedError,
  type HandleOf,
  Pipe,
  type PipeEnd,
  Thread,
} from '../src/index.js';
import {
  echo,
  echoBytes,
  oneWay,
  ownPipe,
  recvForever,
  recvUntilEOF,
  sendAndClose,
  sendFunction,
  sumUntilEOF,
  tooSmall,
  waitsInWorker,
} from './fixtures/pipe-targets.js';
import { until, WORKER_SUITE } from './support/async-helpers.js';

const OPTIONS = WORKER_SUITE;

const started: Thread[] = [];
after(async () => {
  await Promise.all(started.map((thread) => (thread.isAlive() ? thread.terminate() : undefined)));
});

// biome-ignore lint/suspicious/noExplicitAny: the targets' parameter types differ; the test checks results.
function start(target: any, ...args: unknown[]): Thread {
  const thread = new Thread(target, { args });
  started.push(thread as Thread);
  thread.start();
  return thread as Thread;
}

async function finish(thread: Thread): Promise<unknown> {
  assert.equal(await thread.join({ timeout: 60_000 }), true, 'the thread ended');
  if (thread.exception !== undefined) throw thread.exception;
  return thread.result;
}

/** How many receivers wait on `end` here, at the owner (a handle's recv parks here). */
function parkedReceivers(end: PipeEnd): number {
  const inbox = (end as unknown as { inbox: { receivers: { length: number } } }).inbox;
  return inbox.receivers.length;
}

describe('Pipe ends in threads', OPTIONS, () => {
  test('ping-pong: the thread answers each message on its end, in order', async () => {
    const [parent, child] = Pipe<string>();
    const thread = start(echo, child);
    const replies: string[] = [];
    for (const word of ['one', 'two', 'three']) {
      await parent.send(word);
      replies.push(await parent.recv());
    }
    await parent.send('stop');
    assert.equal(await finish(thread), 3);
    assert.deepEqual(replies, ['ONE', 'TWO', 'THREE']);
  });

  test('the thread sends and closes its end: here recv drains, then EOFError; the handle shows closed', async () => {
    const [parent, child] = Pipe<number>();
    const thread = start(sendAndClose, child, [1, 2, 3]);
    assert.equal(await finish(thread), true, "the handle's closed getter after close()");
    assert.equal(child.closed, true, 'closing through the handle closed the end itself');
    assert.equal(await parent.poll(), true);
    const got = [await parent.recv(), await parent.recv(), await parent.recv()];
    assert.deepEqual(got, [1, 2, 3]);
    await assert.rejects(parent.recv(), EOFError);
  });

  test('closing here ends the thread: its parked recv rejects with EOFError, after what was sent', async () => {
    const [parent, child] = Pipe<string>();
    const thread = start(recvUntilEOF, child);
    assert.equal(await parent.recv(), 'ready');
    await parent.send('last words');
    await until(() => parkedReceivers(child) === 1, "the thread's recv parked here");
    parent.close();
    assert.deepEqual(await finish(thread), [['last words'], 'EOFError']);
  });

  test('a receive loop in the thread ends at EOF: the usual way to stop a consumer', async () => {
    const [reader, writer] = Pipe<number>(false);
    const thread = start(sumUntilEOF, reader);
    for (let i = 1; i <= 100; i++) await writer.send(i);
    writer.close();
    assert.equal(await finish(thread), 5050);
  });

  test('bytes cross whole, in both directions', async () => {
    const [parent, child] = Pipe();
    const thread = start(echoBytes, child);
    const big = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
    await parent.sendBytes(big, 1);
    const back = await parent.recvBytes();
    assert.equal(back.byteLength, big.byteLength - 1);
    assert.deepEqual(back.subarray(0, 3), big.subarray(1, 4));
    await parent.sendBytes(new Uint8Array(0));
    await finish(thread);
  });

  test("a handle's recvBytes(maxLength) refusal crosses as RangeError and leaves the message", async () => {
    const [parent, child] = Pipe();
    const thread = start(tooSmall, child);
    await parent.sendBytes(new Uint8Array(10));
    assert.deepEqual(await finish(thread), ['RangeError', 10]);
  });

  test("a handle's poll and recv time out, and an aborted recv takes nothing", async () => {
    const [parent, child] = Pipe<unknown, string>();
    const thread = start(waitsInWorker, child);
    assert.equal(await parent.recv(), 'go');
    await parent.send('the one message');
    assert.deepEqual(await finish(thread), [
      false,
      false,
      'TimeoutError',
      'changed my mind',
      true,
      'the one message',
    ]);
    assert.equal(parkedReceivers(child), 0);
  });

  test('a one-way end keeps its direction in the thread; the wrong call rejects there', async () => {
    const [reader, writer] = Pipe<number>(false);
    const thread = start(oneWay, writer);
    const [readable, writable, refused] = (await finish(thread)) as [boolean, boolean, string];
    assert.deepEqual([readable, writable], [false, true]);
    assert.match(refused, /^RuntimeError: .*write-only/);
    assert.deepEqual([await reader.recv(), await reader.recv(), await reader.recv()], [1, 2, 3]);
    await assert.rejects(reader.recv(), EOFError);
  });

  test('a value that cannot cross is refused in the thread, at its send, naming it', async () => {
    const [parent, child] = Pipe();
    const thread = start(sendFunction, child);
    assert.match((await finish(thread)) as string, /^TypeError: Connection\.send.*function/);
    assert.equal(await parent.poll(), false);
  });

  test("a thread that ends with a recv parked here leaves no trace: the message stays for the end's next reader", async () => {
    const [parent, child] = Pipe<string>();
    const thread = start(recvForever, child);
    assert.equal(await parent.recv(), 'parking');
    await until(() => parkedReceivers(child) === 1, "the thread's recv parked here");
    await thread.terminate();
    await until(() => parkedReceivers(child) === 0, 'the dead thread’s recv withdrawn');
    await parent.send('kept');
    assert.equal(await child.recv({ timeout: 0 }), 'kept');
  });

  test('an end owned by a thread that is gone fails with HandleClosedError instead of hanging', async () => {
    const thread = start(ownPipe);
    const theirs = (await finish(thread)) as ConnectionHandle<string, string>;
    assert.ok(theirs instanceof ConnectionHandle);
    // Types: what an end arrives as is a PipeEnd, which the handle is (and an end itself is not a handle).
    const typed: HandleOf<Connection<string, string>> = theirs;
    assert.equal(typed, theirs);
    await assert.rejects(theirs.recv(), HandleClosedError);
    await theirs.close(); // nothing left to close: resolves
  });
});
