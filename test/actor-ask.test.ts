// Actor.ask: request/reply for handler actors (the return value answers) and run() actors
// (reply/fail, or envelopes answered later), with timeouts and signals that leave nothing behind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Actor, type Envelope, RuntimeError, spawn, TimeoutError } from '../src/index.js';
import {
  abortListeners,
  assertBlocks,
  Cancelled,
  gate,
  SHORT_MS,
  TEST_OPTIONS,
  tick,
  track,
  until,
} from './support/async-helpers.js';

class Boom extends Error {}

/** Records every message its run() sees; answers asks with the message upper-cased. */
class Shouter extends Actor<string, string> {
  readonly seen: string[] = [];
  readonly replied: boolean[] = [];
  override async run(): Promise<void> {
    for (;;) {
      const msg = await this.recv();
      this.seen.push(msg);
      this.replied.push(this.reply(msg.toUpperCase()));
    }
  }
}

describe('Actor.ask with a handler', TEST_OPTIONS, () => {
  test('resolves with what the handler returns, sync or async', async () => {
    const square = new Actor<number, number>({ handler: (x) => x * x }).start();
    const later = new Actor<number, number>({
      handler: async (x) => {
        await tick();
        return x + 1;
      },
    }).start();
    assert.deepEqual(await Promise.all([square.ask(7), square.ask(3), later.ask(1)]), [49, 9, 2]);
    square.close();
    later.close();
    await Promise.all([square.join(), later.join()]);
  });

  test('an error thrown for an asked message goes to the asker, and the actor carries on', async () => {
    const boom = new Boom('bad input');
    const actor = new Actor<number, number>({
      handler: (x) => {
        if (x < 0) throw boom;
        return x;
      },
    }).start();
    await assert.rejects(actor.ask(-1), (err) => err === boom);
    assert.equal(await actor.ask(5), 5);
    actor.close();
    assert.equal(await actor.join(), true);
  });

  test("the Cookbook's Worker: submit a function, get its result (or its error) back", async () => {
    const worker = new Actor<() => unknown>({ handler: (job) => job() }).start();
    const submit = <T>(fn: () => T) => worker.ask(fn) as Promise<Awaited<T>>;
    const eight = submit(() => 2 ** 3);
    const failed = submit(() => JSON.parse('{oops'));
    const hello = submit(async () => 'hello');
    assert.equal(await eight, 8);
    await assert.rejects(failed, SyntaxError);
    assert.equal(await hello, 'hello');
    worker.close();
    assert.equal(await worker.join(), true);
  });
});

describe('Actor.ask with run()', TEST_OPTIONS, () => {
  test('this.reply() answers the message recv() returned; false for a message sent with send()', async () => {
    const actor = new Shouter().start();
    await actor.send('quiet');
    assert.equal(await actor.ask('hello'), 'HELLO');
    actor.close();
    await actor.join();
    assert.deepEqual(actor.seen, ['quiet', 'hello']);
    assert.deepEqual(actor.replied, [false, true]);
  });

  test('this.fail() makes the ask reject; a second answer is refused', async () => {
    const boom = new Boom('refused');
    const answers: boolean[] = [];
    const actor = new (class extends Actor<string, string> {
      override async run(): Promise<void> {
        await this.recv();
        answers.push(this.fail(boom), this.reply('too late'));
      }
    })().start();
    await assert.rejects(actor.ask('please'), (err) => err === boom);
    await actor.join();
    assert.deepEqual(answers, [true, false]);
  });

  test('an ask left unanswered is failed by the next recv(), with a hint', async () => {
    const actor = new (class extends Actor<string, string> {
      override async run(): Promise<void> {
        for (;;) await this.recv();
      }
    })().start();
    const first = actor.ask('first');
    await actor.send('second');
    await assert.rejects(
      first,
      (err: Error) => err instanceof RuntimeError && /recvEnvelope/.test(err.message),
    );
    actor.close();
    await actor.join();
  });

  test('recvEnvelope(): asks can be answered later, in any order', async () => {
    const kinds: boolean[] = [];
    const actor = new (class extends Actor<string, string> {
      override async run(): Promise<void> {
        const held: Envelope<string, string>[] = [];
        for (let i = 0; i < 3; i++) {
          const envelope = await this.recvEnvelope();
          kinds.push(envelope.expectsReply);
          if (envelope.expectsReply) held.push(envelope);
          else assert.equal(envelope.reply('nobody'), false);
        }
        for (const envelope of held.reverse()) envelope.reply(`re: ${envelope.msg}`);
      }
    })().start();
    const a = actor.ask('a');
    await actor.send('note');
    const b = actor.ask('b');
    assert.deepEqual(await Promise.all([a, b]), ['re: a', 're: b']);
    await actor.join();
    assert.deepEqual(kinds, [true, false, true]);
  });

  test('envelopes still unanswered when run() ends reject with RuntimeError', async () => {
    const actor = new (class extends Actor<string> {
      override async run(): Promise<void> {
        await this.recvEnvelope();
      }
    })().start();
    await assert.rejects(actor.ask('kept and forgotten'), /ended before answering/);
  });
});

describe('Actor.ask: timeouts and signals', TEST_OPTIONS, () => {
  test("times out with weft's TimeoutError; the withdrawn ask never reaches the actor", async () => {
    const actor = new Shouter();
    await assert.rejects(actor.ask('too slow', { timeout: SHORT_MS }), TimeoutError);
    await assert.rejects(actor.ask('no wait at all', { timeout: 0 }), TimeoutError);
    actor.start();
    assert.equal(await actor.ask('next'), 'NEXT');
    actor.close();
    await actor.join();
    assert.deepEqual(actor.seen, ['next']);
  });

  test('a reply that comes after the timeout is dropped quietly', async () => {
    const release = gate();
    const answered: boolean[] = [];
    const actor = new (class extends Actor<string, string> {
      override async run(): Promise<void> {
        await this.recv();
        await release.opened;
        answered.push(this.reply('late'));
      }
    })().start();
    await assert.rejects(actor.ask('slow', { timeout: SHORT_MS }), TimeoutError);
    release.open();
    assert.equal(await actor.join(), true);
    assert.deepEqual(answered, [false]);
  });

  test('the timeout covers waiting for room; the put waiting for room is withdrawn too', async () => {
    const release = gate();
    const seen: string[] = [];
    const actor = new (class extends Actor<string, string> {
      override async run(): Promise<void> {
        for (;;) {
          seen.push(await this.recv());
          await release.opened;
        }
      }
    })({ mailboxSize: 1 });
    actor.sendNowait('a');
    await assert.rejects(actor.ask('b', { timeout: SHORT_MS }), TimeoutError);
    actor.start();
    await until(() => seen.length === 1, 'the actor took "a"');
    actor.sendNowait('c'); // the room "a" left is free: no put of "b" was waiting for it
    release.open();
    actor.close();
    await actor.join();
    assert.deepEqual(seen, ['a', 'c']);
  });

  test('an ask waiting for room rejects with RuntimeError when the actor is closed', async () => {
    const actor = new Shouter({ mailboxSize: 1 });
    actor.sendNowait('fills it');
    const blocked = track(actor.ask('waits'));
    await assertBlocks(blocked, 'an ask to a full mailbox');
    actor.close();
    await assert.rejects(blocked.promise, /closed/);
  });

  test('an aborted signal rejects with its reason and leaves no listener; already aborted: nothing is sent', async () => {
    const actor = new Shouter({ mailboxSize: 1 });
    const controller = new AbortController();
    const waiting = track(actor.ask('first', { signal: controller.signal }));
    const waitingForRoom = track(actor.ask('second', { signal: controller.signal }));
    await assertBlocks(waitingForRoom, 'an ask to a full mailbox');
    assert.equal(abortListeners(controller.signal), 2);
    const reason = new Cancelled('changed my mind');
    controller.abort(reason);
    await assert.rejects(waiting.promise, (err) => err === reason);
    await assert.rejects(waitingForRoom.promise, (err) => err === reason);
    assert.equal(abortListeners(controller.signal), 0);
    await assert.rejects(
      actor.ask('third', { signal: controller.signal }),
      (err) => err === reason,
    );
    actor.start();
    assert.equal(await actor.ask('fourth'), 'FOURTH');
    actor.close();
    await actor.join();
    assert.deepEqual(actor.seen, ['fourth']);
  });

  test('an answered ask leaves no listener on its signal and no timer pending', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const actor = new Shouter().start();
    const controller = new AbortController();
    const before = timers();
    const answer = actor.ask('x', { signal: controller.signal, timeout: 60_000 });
    assert.equal(timers(), before + 1);
    assert.equal(await answer, 'X');
    assert.equal(timers(), before);
    assert.equal(abortListeners(controller.signal), 0);
    actor.close();
    await actor.join();
  });

  test('an ask made inside a task rejects with the kill reason when the task is killed', async () => {
    const actor = new Shouter();
    const asker = spawn(() => actor.ask('from a task'));
    await tick(2);
    const reason = new Cancelled('killed');
    await asker.kill(reason);
    assert.equal(asker.exception, reason);
    actor.start();
    actor.close();
    await actor.join();
    assert.deepEqual(actor.seen, []);
  });
});
