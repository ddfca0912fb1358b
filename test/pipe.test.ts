// Pipe and its Connection ends in one thread, after CPython's test_multiprocessing connection
// tests (send/recv of many kinds of value, poll, duplex=False, EOF once the other end closes,
// the context manager), plus weft's { timeout, signal } guarantees: a recv that times out or is
// aborted takes nothing. Bytes messages: pipe-bytes.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BrokenPipeError,
  Connection,
  disconnect,
  EOFError,
  isHandle,
  move,
  Pipe,
  Queue,
  type QueueHandle,
  RuntimeError,
  spawn,
  TimeoutError,
} from '../src/index.js';
import {
  abortListeners,
  assertBlocks,
  Cancelled,
  SHORT_MS,
  TEST_OPTIONS,
  track,
} from './support/async-helpers.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

describe('Pipe: messages', TEST_OPTIONS, () => {
  test('values of every cloneable kind arrive in order, both ways on a duplex pipe', async () => {
    const [a, b] = Pipe();
    const values = [
      1,
      2.25,
      null,
      undefined,
      'hello',
      10n,
      [1, [2]],
      { x: { y: 1 } },
      new Map([[1, 'one']]),
      new Set([3]),
      new Date(0),
    ];
    for (const value of values) await a.send(value);
    for (const value of values) assert.deepEqual(await b.recv(), value);
    await b.send('back');
    assert.equal(await a.recv(), 'back');
  });

  test('the receiver gets its own copy: changing the original after send changes nothing', async () => {
    const [a, b] = Pipe<{ list: number[] }>();
    const sent = { list: [1] };
    await a.send(sent);
    sent.list.push(2);
    const received = await b.recv();
    assert.deepEqual(received, { list: [1] });
    assert.notEqual(received, sent);
  });

  test('a value that cannot be copied is refused at the send with a TypeError naming it; nothing is sent', async () => {
    const [a, b] = Pipe<unknown>();
    await assert.rejects(
      a.send(() => 1),
      (err: Error) => err instanceof TypeError && /Connection\.send.*function/.test(err.message),
    );
    await assert.rejects(
      a.send({ callback() {} }),
      (err: Error) => err instanceof TypeError && /Connection\.send/.test(err.message),
    );
    await assert.rejects(a.send(Symbol('s')), TypeError);
    assert.equal(await b.poll(), false);
  });

  test('move() transfers a buffer: the sender is left with an empty one', async () => {
    const [a, b] = Pipe<Uint8Array>();
    const data = new Uint8Array([1, 2, 3]);
    await a.send(move(data));
    assert.equal(data.byteLength, 0);
    assert.deepEqual([...(await b.recv())], [1, 2, 3]);
  });

  test('a weft primitive inside a message arrives as a handle on the same object', async () => {
    const [a, b] = Pipe<{ jobs: Queue<number> }>();
    const jobs = new Queue<number>();
    await a.send({ jobs });
    const received = (await b.recv()).jobs as unknown as QueueHandle<number>;
    assert.ok(isHandle(received));
    await received.put(7);
    assert.equal(jobs.getNowait(), 7);
    disconnect(received);
  });

  test('parked receivers are served in the order they came', async () => {
    const [a, b] = Pipe<number>();
    const first = track(b.recv());
    const second = track(b.recv());
    await a.send(1);
    await a.send(2);
    assert.equal(await first.promise, 1);
    assert.equal(await second.promise, 2);
  });
});

describe('Pipe: poll', TEST_OPTIONS, () => {
  test('poll() only looks; poll(timeout) waits; neither takes the message', async () => {
    const [a, b] = Pipe<string>();
    assert.equal(await b.poll(), false);
    assert.equal(await b.poll(SHORT_MS), false);
    await a.send('x');
    assert.equal(await b.poll(), true);
    assert.equal(await b.poll(), true, 'polling again: still there');
    assert.equal(await b.recv(), 'x');
    assert.equal(await b.poll(), false);
  });

  test('poll(Infinity) and poll({}) wait until something arrives', async () => {
    const [a, b] = Pipe<string>();
    const forever = track(b.poll(Infinity));
    const options = track(b.poll({}));
    await assertBlocks(forever, 'poll(Infinity)');
    await a.send('x');
    assert.equal(await forever.promise, true);
    assert.equal(await options.promise, true);
  });

  test('an empty bytes message counts as something to receive', async () => {
    const [a, b] = Pipe();
    await a.sendBytes(new Uint8Array(0));
    assert.equal(await b.poll(), true);
    assert.equal((await b.recvBytes()).byteLength, 0);
  });

  test('poll({ signal }) rejects with the reason when aborted and leaves no listener', async () => {
    const [, b] = Pipe();
    const controller = new AbortController();
    const polling = b.poll({ signal: controller.signal });
    assert.equal(abortListeners(controller.signal), 1);
    const reason = new Cancelled();
    controller.abort(reason);
    await assert.rejects(polling, (err) => err === reason);
    assert.equal(abortListeners(controller.signal), 0);
  });

  test('poll is true once the other end closed: recv would answer (with EOFError)', async () => {
    const [a, b] = Pipe();
    const waiting = track(b.poll(Infinity));
    a.close();
    assert.equal(await waiting.promise, true);
    assert.equal(await b.poll(), true);
    await assert.rejects(b.recv(), EOFError);
  });
});

describe('Pipe: closing', TEST_OPTIONS, () => {
  test('after one end closes, the other receives what was sent before, then EOFError every time', async () => {
    const [a, b] = Pipe<number>();
    await a.send(1);
    await a.sendBytes(bytes('two'));
    a.close();
    assert.equal(await b.recv(), 1);
    assert.equal(text(await b.recvBytes()), 'two');
    await assert.rejects(
      b.recv(),
      (err: Error) => err instanceof EOFError && /other end/.test(err.message),
    );
    await assert.rejects(b.recvBytes(), EOFError);
    await assert.rejects(b.recv({ timeout: 0 }), EOFError);
  });

  test('a recv parked when the other end closes rejects with EOFError', async () => {
    const [a, b] = Pipe();
    const waiting = track(b.recv());
    await assertBlocks(waiting, 'recv on an empty pipe');
    a.close();
    await assert.rejects(waiting.promise, EOFError);
  });

  test('sending to an end that was closed rejects with BrokenPipeError', async () => {
    const [a, b] = Pipe();
    b.close();
    await assert.rejects(a.send(1), BrokenPipeError);
    await assert.rejects(a.sendBytes(bytes('x')), BrokenPipeError);
  });

  test('a closed end refuses every call with RuntimeError; close is idempotent', async () => {
    const [a] = Pipe();
    assert.equal(a.closed, false);
    a.close();
    a.close();
    assert.equal(a.closed, true);
    for (const call of [
      () => a.send(1),
      () => a.recv(),
      () => a.poll(),
      () => a.sendBytes(bytes('x')),
      () => a.recvBytes(),
    ]) {
      await assert.rejects(
        call(),
        (err: Error) => err instanceof RuntimeError && /closed/.test(err.message),
      );
    }
    assert.equal(a.readable, true, 'readable and writable say what the end is, closed or not');
  });

  test('a recv parked on an end that is then closed rejects with EOFError; the pending poll answers', async () => {
    const [a] = Pipe();
    const parked = track(a.recv());
    const polling = track(a.poll(Infinity));
    await assertBlocks(parked, 'recv');
    a.close();
    await assert.rejects(
      parked.promise,
      (err: Error) => err instanceof EOFError && /this end/.test(err.message),
    );
    assert.equal(await polling.promise, true);
  });

  test('using / await using close the end (Python: with conn)', async () => {
    const [a, b] = Pipe();
    {
      using end = a;
      await end.send(1729);
    }
    assert.equal(a.closed, true);
    {
      await using end = b;
      assert.equal(await end.recv(), 1729);
    }
    assert.equal(b.closed, true);
  });
});

describe('Pipe: timeouts and cancellation leave no trace', TEST_OPTIONS, () => {
  test("recv's timeout rejects with weft's TimeoutError; the next message goes to the next recv", async () => {
    const [a, b] = Pipe<number>();
    await assert.rejects(b.recv({ timeout: SHORT_MS }), TimeoutError);
    await assert.rejects(b.recv({ timeout: 0 }), TimeoutError);
    await assert.rejects(b.recvBytes(undefined, { timeout: SHORT_MS }), TimeoutError);
    await a.send(1);
    assert.equal(await b.recv({ timeout: 0 }), 1, 'timeout 0 takes what is there');
  });

  test('an aborted recv takes nothing and leaves no listener; the next recv gets the message', async () => {
    const [a, b] = Pipe<number>();
    const controller = new AbortController();
    const aborted = b.recv({ signal: controller.signal });
    const reason = new Cancelled();
    controller.abort(reason);
    await assert.rejects(aborted, (err) => err === reason);
    assert.equal(abortListeners(controller.signal), 0);
    await a.send(1);
    assert.equal(await b.recv(), 1);
  });

  test('an already-aborted signal rejects without taking the waiting message', async () => {
    const [a, b] = Pipe<number>();
    await a.send(1);
    const reason = new Cancelled();
    await assert.rejects(b.recv({ signal: AbortSignal.abort(reason) }), (err) => err === reason);
    await assert.rejects(
      b.recvBytes(undefined, { signal: AbortSignal.abort(reason) }),
      (err) => err === reason,
    );
    assert.equal(await b.recv(), 1);
  });

  test('a recv inside a killed task rejects with the kill reason and takes nothing', async () => {
    const [a, b] = Pipe<number>();
    const task = spawn(() => b.recv());
    await assertBlocks(track(task.join()), 'the task');
    const reason = new Cancelled();
    await task.kill(reason);
    assert.equal(task.exception, reason);
    await a.send(2);
    assert.equal(await b.recv(), 2);
  });

  test('invalid options reject: TypeError for a bad timeout or signal, RangeError for a negative one', async () => {
    const [, b] = Pipe();
    await assert.rejects(b.recv({ timeout: 'x' as never }), TypeError);
    await assert.rejects(b.recv({ timeout: -1 }), RangeError);
    await assert.rejects(b.recv({ signal: {} as never }), TypeError);
    await assert.rejects(b.poll(-1), RangeError);
    await assert.rejects(b.poll('soon' as never), TypeError);
    await assert.rejects(b.poll(Number.NaN), TypeError);
  });
});

describe('Pipe(false): one way', TEST_OPTIONS, () => {
  test('returns [reader, writer]: the writer only sends, the reader only receives', async () => {
    const [reader, writer] = Pipe<number>(false);
    assert.deepEqual(
      [reader.readable, reader.writable, writer.readable, writer.writable],
      [true, false, false, true],
    );
    await writer.send(1);
    assert.equal(await reader.recv(), 1);
    // @ts-expect-error the reader's send takes `never`: a type error, and refused at run time too
    const sendOnReader = reader.send(2);
    await assert.rejects(
      sendOnReader,
      (err: Error) => err instanceof RuntimeError && /read-only/.test(err.message),
    );
    await assert.rejects(reader.sendBytes(bytes('x')), RuntimeError);
    await assert.rejects(
      writer.recv(),
      (err: Error) => err instanceof RuntimeError && /write-only/.test(err.message),
    );
    await assert.rejects(writer.recvBytes(), RuntimeError);
    await assert.rejects(writer.poll(), RuntimeError);
  });

  test('closing the writer ends the reader with EOFError; closing the reader breaks the writer', async () => {
    const [reader, writer] = Pipe<number>(false);
    await writer.send(1);
    writer.close();
    assert.equal(await reader.recv(), 1);
    await assert.rejects(reader.recv(), EOFError);
    const [reader2, writer2] = Pipe<number>(false);
    reader2.close();
    await assert.rejects(writer2.send(1), BrokenPipeError);
  });

  test('ends are only made by Pipe(); duplex must be a boolean', () => {
    assert.throws(() => new (Connection as unknown as new () => Connection)(), TypeError);
    assert.throws(() => Pipe('yes' as never), TypeError);
  });
});
