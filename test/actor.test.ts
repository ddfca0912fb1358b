// Actor: the Cookbook's actor task (recipe 12.10) — mailbox, run()/recv(), close() draining
// into ActorExit, join() surfacing run()'s error, handlers, and the bounded mailbox.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Actor,
  ActorExit,
  CancelledError,
  currentTask,
  Event,
  QueueEmpty,
  QueueFull,
  RuntimeError,
} from '../src/index.js';
import {
  assertBlocks,
  gate,
  SHORT_MS,
  TEST_OPTIONS,
  tick,
  track,
  until,
} from './support/async-helpers.js';

/** Collects every unhandled rejection while a test runs (the process would otherwise crash). */
function watchUnhandled(t: { after(fn: () => void): void }): unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  t.after(() => process.off('unhandledRejection', listener));
  return seen;
}

/** The Cookbook's PrintActor, recording instead of printing. */
class RecordingActor<M> extends Actor<M> {
  readonly got: M[] = [];
  override async run(): Promise<void> {
    for (;;) this.got.push(await this.recv());
  }
}

class Boom extends Error {}

describe('Actor: run() with recv()', TEST_OPTIONS, () => {
  test('receives messages in the order they were sent', async () => {
    const actor = new RecordingActor<string>().start();
    for (const msg of ['a', 'b', 'c']) await actor.send(msg);
    await until(() => actor.got.length === 3, 'the actor received three messages');
    assert.deepEqual(actor.got, ['a', 'b', 'c']);
    actor.close();
    assert.equal(await actor.join(), true);
  });

  test('close() still delivers the mail already sent, then ActorExit ends run() quietly', async (t) => {
    const unhandled = watchUnhandled(t);
    const actor = new RecordingActor<number>();
    for (let i = 0; i < 5; i++) actor.sendNowait(i);
    actor.close();
    actor.start();
    assert.equal(await actor.join(), true);
    assert.deepEqual(actor.got, [0, 1, 2, 3, 4]);
    assert.equal(actor.exception, undefined);
    assert.equal(actor.isAlive(), false);
    await tick(2);
    assert.deepEqual(unhandled, []);
  });

  test('recv() after close and drain rejects with ActorExit, every time', async () => {
    const seen: unknown[] = [];
    const actor = new (class extends Actor<number> {
      override async run(): Promise<void> {
        seen.push(await this.recv());
        for (let i = 0; i < 2; i++) await this.recv().catch((err: unknown) => seen.push(err));
      }
    })();
    actor.sendNowait(1);
    actor.close();
    await actor.start().join();
    assert.equal(seen[0], 1);
    assert.ok(seen[1] instanceof ActorExit);
    assert.ok(seen[2] instanceof ActorExit);
  });

  test('a recv() waiting on an empty mailbox ends with ActorExit when the actor is closed', async () => {
    const actor = new RecordingActor<string>().start();
    await tick(2);
    assert.equal(actor.isAlive(), true);
    actor.close();
    assert.equal(await actor.join(), true);
  });

  test('recv({ timeout }) rejects with QueueEmpty when no message comes', async () => {
    let caught: unknown;
    const actor = new (class extends Actor<string> {
      override async run(): Promise<void> {
        caught = await this.recv({ timeout: SHORT_MS }).catch((err: unknown) => err);
      }
    })().start();
    await actor.join();
    assert.ok(caught instanceof QueueEmpty);
  });

  test('run() runs as a weft task: currentTask() inside it is actor.task', async () => {
    let inside: unknown;
    const actor = new (class extends Actor {
      override async run(): Promise<void> {
        inside = currentTask();
      }
    })().start();
    await actor.join();
    assert.ok(actor.task !== undefined);
    assert.equal(inside, actor.task);
  });

  test('an ActorExit that run() throws itself ends it quietly too', async () => {
    const actor = new (class extends Actor {
      override async run(): Promise<void> {
        throw new ActorExit('done early');
      }
    })().start();
    assert.equal(await actor.join(), true);
  });
});

describe('Actor: errors surface on join()', TEST_OPTIONS, () => {
  test('join() rejects with the very error run() threw; never an unhandled rejection', async (t) => {
    const unhandled = watchUnhandled(t);
    const boom = new Boom('run failed');
    const actor = new (class extends Actor<string> {
      override async run(): Promise<void> {
        await this.recv();
        throw boom;
      }
    })().start();
    await actor.send('go');
    await assert.rejects(actor.join(), (err) => err === boom);
    await assert.rejects(actor.join(), (err) => err === boom, 'every join() sees it');
    assert.equal(actor.exception, boom);
    assert.equal(actor.isAlive(), false);
    await tick(3);
    assert.deepEqual(unhandled, []);
  });

  test('an actor that fails with nobody joining it causes no unhandled rejection', async (t) => {
    const unhandled = watchUnhandled(t);
    const actor = new Actor<number>({
      handler: () => {
        throw new Boom('nobody is listening');
      },
    }).start();
    await actor.send(1);
    await until(() => !actor.isAlive(), 'the actor ended');
    await tick(3);
    assert.deepEqual(unhandled, []);
    assert.ok(actor.exception instanceof Boom);
  });

  test('a failed actor is closed: sends reject, and asks still queued reject with the cause', async () => {
    const boom = new Boom('first message kills it');
    const actor = new Actor<string, string>({
      handler: (msg) => {
        if (msg === 'die') throw boom;
        return msg;
      },
    });
    actor.sendNowait('die');
    const queuedAsk = actor.ask('never handled');
    actor.start();
    await assert.rejects(
      queuedAsk,
      (err: Error) => err instanceof RuntimeError && err.cause === boom,
    );
    await assert.rejects(actor.join(), (err) => err === boom);
    assert.equal(actor.closed, true);
    await assert.rejects(actor.send('late'), RuntimeError);
  });

  test('a run() that returns without close() closes the actor and fails the asks left in it', async () => {
    const actor = new (class extends Actor<string> {
      override async run(): Promise<void> {
        await this.recv();
      }
    })();
    actor.sendNowait('the only one');
    const left = actor.ask('left over');
    actor.start();
    assert.equal(await actor.join(), true);
    await assert.rejects(left, /ended before answering/);
    assert.throws(() => actor.sendNowait('late'), RuntimeError);
  });

  test('a killed actor task: join() rejects with the kill reason', async () => {
    const never = new Event();
    // A weft wait inside the actor observes its task being killed.
    const actor = new Actor<string>({ handler: () => never.wait() }).start();
    await actor.send('work');
    await tick(2);
    const reason = new CancelledError('stop it');
    await actor.task!.kill(reason);
    await assert.rejects(actor.join(), (err) => err === reason);
  });
});

describe('Actor: lifecycle and misuse', TEST_OPTIONS, () => {
  test('send() and sendNowait() after close() refuse the message with RuntimeError', async () => {
    const actor = new RecordingActor<string>();
    actor.close();
    actor.close(); // idempotent
    await assert.rejects(actor.send('x'), /closed/);
    assert.throws(() => actor.sendNowait('x'), RuntimeError);
    await assert.rejects(actor.ask('x'), RuntimeError);
    assert.equal(actor.closed, true);
  });

  test('start() twice throws; start() with nothing to run throws TypeError', () => {
    const actor = new RecordingActor<string>().start();
    assert.throws(() => actor.start(), RuntimeError);
    actor.close();
    assert.throws(() => new Actor().start(), TypeError);
  });

  test('join() before start() rejects with RuntimeError; join({ timeout }) resolves false while running', async () => {
    const actor = new RecordingActor<string>();
    await assert.rejects(actor.join(), RuntimeError);
    actor.start();
    assert.equal(await actor.join({ timeout: SHORT_MS }), false);
    actor.close();
    assert.equal(await actor.join(), true);
  });

  test('invalid options make the promise reject, never throw', async () => {
    const actor = new RecordingActor<string>();
    await assert.rejects(actor.send('x', { timeout: -1 }), RangeError);
    await assert.rejects(actor.ask('x', { timeout: Number.NaN }), TypeError);
    await assert.rejects(actor.join({ signal: 'no' as unknown as AbortSignal }), TypeError);
  });

  test('constructor options are checked', () => {
    assert.throws(() => new Actor({ mailboxSize: -1 }), RangeError);
    assert.throws(() => new Actor({ mailboxSize: 1.5 }), RangeError);
    assert.throws(() => new Actor({ handler: 42 as never }), TypeError);
    assert.equal(new Actor({ name: 'printer' }).name, 'printer');
    assert.match(new RecordingActor().name, /^RecordingActor-\d+$/);
  });

  test('await using closes the actor and joins it at the end of the block', async () => {
    let actor: RecordingActor<string>;
    {
      await using scoped = new RecordingActor<string>().start();
      actor = scoped;
      await scoped.send('inside');
    }
    assert.equal(actor.isAlive(), false);
    assert.equal(actor.closed, true);
    assert.deepEqual(actor.got, ['inside']);
  });
});

describe('Actor: handler and handle()', TEST_OPTIONS, () => {
  test('a handler actor handles each sent message in order, one at a time', async () => {
    const log: string[] = [];
    const actor = new Actor<number>({
      handler: async (n) => {
        log.push(`start ${n}`);
        await tick();
        log.push(`end ${n}`);
      },
    }).start();
    for (let n = 1; n <= 3; n++) actor.sendNowait(n);
    actor.close();
    await actor.join();
    assert.deepEqual(log, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  test('the handler gets the actor as its second argument', async () => {
    let seen: unknown;
    const actor = new Actor<string>({ handler: (_msg, self) => void (seen = self) }).start();
    await actor.send('who am I');
    actor.close();
    await actor.join();
    assert.equal(seen, actor);
  });

  test('a subclass can implement handle(msg) instead of run()', async () => {
    class Doubler extends Actor<number, number> {
      protected override handle(n: number): number {
        return n * 2;
      }
    }
    const actor = new Doubler().start();
    assert.equal(await actor.ask(21), 42);
    actor.close();
    await actor.join();
  });
});

describe('Actor: bounded mailbox', TEST_OPTIONS, () => {
  test('send() waits while the mailbox is full and goes on when the actor takes a message', async () => {
    const release = gate();
    const got: number[] = [];
    const actor = new Actor<number>({
      mailboxSize: 2,
      handler: async (n) => {
        got.push(n);
        if (n === 1) await release.opened;
      },
    }).start();
    await actor.send(1);
    await until(() => got.length === 1, 'the actor took the first message');
    await actor.send(2);
    await actor.send(3);
    const blocked = track(actor.send(4));
    await assertBlocks(blocked, 'a send to a full mailbox');
    assert.throws(() => actor.sendNowait(5), QueueFull);
    await assert.rejects(actor.send(5, { timeout: SHORT_MS }), QueueFull);
    release.open();
    await blocked.promise;
    actor.close();
    await actor.join();
    assert.deepEqual(got, [1, 2, 3, 4]);
  });

  test('a send waiting for room rejects with RuntimeError when the actor is closed', async () => {
    const actor = new RecordingActor<string>({ mailboxSize: 1 });
    await actor.send('fills it');
    const blocked = track(actor.send('waits'));
    await assertBlocks(blocked, 'a send to a full mailbox');
    actor.close();
    await assert.rejects(blocked.promise, /closed/);
    actor.start();
    await actor.join();
    assert.deepEqual(actor.got, ['fills it']);
  });
});
