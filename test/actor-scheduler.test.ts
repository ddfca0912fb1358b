// ActorScheduler: the Cookbook's generator actors, delivered from one queue by a loop (no
// recursion), with clear errors, removal of finished actors, stop/timeout/signal, and turns
// given to the event loop during long runs.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { ActorScheduler, RuntimeError } from '../src/index.js';

const OPTIONS = { timeout: 10_000 };

/** An interface (no index signature) works as the message map as well as a type literal. */
interface CounterMessages {
  printer: number;
  counter: number;
}

/** The Cookbook's pair: the counter sends n to the printer and n - 1 to itself until 0. */
function counterAndPrinter(onPrint: (n: number) => void): ActorScheduler<CounterMessages> {
  const sched = new ActorScheduler<CounterMessages>();
  sched.newActor(
    'printer',
    (function* (): Generator<void, void, number> {
      while (true) onPrint(yield);
    })(),
  );
  sched.newActor(
    'counter',
    (function* (): Generator<void, void, number> {
      while (true) {
        const n = yield;
        if (n === 0) return;
        sched.send('printer', n);
        sched.send('counter', n - 1);
      }
    })(),
  );
  return sched;
}

/**
 * Two actors that message each other "forever". Bounded, so that a scheduler that never gives
 * the event loop a turn fails the test (the run ends with true) instead of hanging it.
 */
function pingPong(): ActorScheduler<{ ping: number; pong: number }> {
  const sched = new ActorScheduler<{ ping: number; pong: number }>();
  sched.newActor(
    'ping',
    (function* (): Generator<void, void, number> {
      for (let n = yield; n < 20_000_000; n = yield) sched.send('pong', n + 1);
    })(),
  );
  sched.newActor(
    'pong',
    (function* (): Generator<void, void, number> {
      while (true) sched.send('ping', (yield) + 1);
    })(),
  );
  sched.send('ping', 0);
  return sched;
}

/** Frames on the stack right now. */
function stackDepth(): number {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Number.POSITIVE_INFINITY;
  const depth = (new Error().stack ?? '').split('\n').length;
  Error.stackTraceLimit = limit;
  return depth;
}

describe('ActorScheduler: the Cookbook counter and printer', OPTIONS, () => {
  test('10 000 messages arrive in order; the counter finishes and is removed', async () => {
    const printed: number[] = [];
    const sched = counterAndPrinter((n) => printed.push(n));
    sched.send('counter', 10_000);
    assert.equal(await sched.run(), true);
    assert.equal(printed.length, 10_000);
    assert.equal(printed[0], 10_000);
    assert.equal(printed.at(-1), 1);
    assert.ok(
      printed.every((n, i) => n === 10_000 - i),
      'printed 10000, 9999, ..., 1',
    );
    assert.equal(sched.has('counter'), false);
    assert.equal(sched.has('printer'), true, 'the printer is still alive, waiting for mail');
    assert.equal(sched.pending, 0);
  });

  test('the stack does not grow from one delivery to the next', async () => {
    const depths = new Set<number>();
    const sched = counterAndPrinter((n) => {
      if (n % 500 === 0) depths.add(stackDepth());
    });
    sched.send('counter', 10_000);
    await sched.run();
    // A recursive delivery would be thousands of frames deeper at the end than at the start;
    // the loop delivers from the same few call paths (first slice, then after each turn).
    assert.ok(depths.size <= 3, `depths seen: ${[...depths].join(', ')}`);
    assert.ok(
      Math.max(...depths) - Math.min(...depths) < 20,
      `depths seen: ${[...depths].join(', ')}`,
    );
  });

  test('1 000 000 messages complete without a RangeError', async () => {
    let received = 0;
    let last = -1;
    const sched = counterAndPrinter((n) => {
      received++;
      last = n;
    });
    sched.send('counter', 1_000_000);
    assert.equal(await sched.run(), true);
    assert.equal(received, 1_000_000);
    assert.equal(last, 1);
  });
});

describe('ActorScheduler: delivery', OPTIONS, () => {
  test('newActor queues the priming next(); nothing runs before run()', async () => {
    const log: string[] = [];
    const sched = new ActorScheduler<{ a: string }>();
    sched.newActor(
      'a',
      (function* (): Generator<void, void, string> {
        log.push('primed');
        while (true) log.push(`got ${yield}`);
      })(),
    );
    sched.send('a', 'one');
    assert.equal(sched.pending, 2);
    assert.deepEqual(log, []);
    assert.equal(await sched.run(), true);
    assert.deepEqual(log, ['primed', 'got one']);
  });

  test('send only queues: the receiver runs later, in the order messages were sent', async () => {
    const log: string[] = [];
    const sched = new ActorScheduler<{ a: string; b: string; boss: null }>();
    for (const name of ['a', 'b'] as const) {
      sched.newActor(
        name,
        (function* (): Generator<void, void, string> {
          while (true) log.push(`${name} got ${yield}`);
        })(),
      );
    }
    sched.newActor(
      'boss',
      (function* (): Generator<void, void, null> {
        yield;
        sched.send('a', '1');
        log.push('boss sent to a');
        sched.send('b', '2');
        sched.send('a', '3');
        log.push('boss done');
      })(),
    );
    sched.send('boss', null);
    await sched.run();
    assert.deepEqual(log, ['boss sent to a', 'boss done', 'a got 1', 'b got 2', 'a got 3']);
  });

  test('run() resolves once no message is pending, even with actors still alive; more mail, run again', async () => {
    const printed: number[] = [];
    const sched = counterAndPrinter((n) => printed.push(n));
    assert.equal(await sched.run(), true);
    assert.deepEqual(printed, []);
    sched.send('printer', 7);
    assert.equal(await sched.run(), true);
    assert.deepEqual(printed, [7]);
    assert.equal(await sched.run(), true);
  });

  test('sending to an unknown name throws RuntimeError naming it', () => {
    const sched = new ActorScheduler();
    assert.throws(() => sched.send('nobody', 1), {
      name: 'RuntimeError',
      message: /no actor named "nobody"/,
    });
    assert.equal(sched.pending, 0);
  });

  test('a finished actor is removed: sending to it throws, mail already queued for it is dropped', async () => {
    const got: number[] = [];
    const sched = new ActorScheduler<{ once: number }>();
    sched.newActor(
      'once',
      (function* (): Generator<void, void, number> {
        got.push(yield);
      })(),
    );
    sched.send('once', 1);
    sched.send('once', 2); // queued before the actor finishes: never delivered
    assert.equal(await sched.run(), true);
    assert.deepEqual(got, [1]);
    assert.equal(sched.has('once'), false);
    assert.equal(sched.pending, 0);
    assert.throws(() => sched.send('once', 3), RuntimeError);
  });

  test('an actor that returns before its first yield is removed at priming', async () => {
    const sched = new ActorScheduler();
    sched.newActor('brief', (function* () {})());
    assert.equal(sched.has('brief'), true);
    await sched.run();
    assert.equal(sched.has('brief'), false);
  });

  test('a live name cannot be taken twice; a finished actor’s name can be reused', async () => {
    const sched = new ActorScheduler();
    sched.newActor('x', (function* () {})());
    assert.throws(() => sched.newActor('x', (function* () {})()), {
      name: 'RuntimeError',
      message: /"x" is already running/,
    });
    await sched.run();
    let primed = false;
    sched.newActor(
      'x',
      (function* () {
        primed = true;
        yield;
      })(),
    );
    await sched.run();
    assert.equal(primed, true);
  });

  test('newActor refuses what is not a started generator', () => {
    const sched = new ActorScheduler();
    function* printer() {}
    assert.throws(() => sched.newActor('p', printer as never), {
      name: 'TypeError',
      message: /newActor\('p', printer\(\)\)/,
    });
    assert.throws(() => sched.newActor('p', {} as never), TypeError);
    assert.throws(() => sched.newActor(1 as never, printer()), {
      name: 'TypeError',
      message: /name/,
    });
    assert.equal(sched.has('p'), false);
  });

  test('message types follow the actor name', () => {
    const sched = new ActorScheduler<{ printer: string }>();
    sched.newActor(
      'printer',
      (function* (): Generator<void, void, string> {
        while (true) (yield).toUpperCase();
      })(),
    );
    // @ts-expect-error: the printer takes strings
    assert.doesNotThrow(() => sched.send('printer', 5));
    // @ts-expect-error: no actor of that name in the type
    assert.throws(() => sched.send('other', 'x'), RuntimeError);
  });
});

describe('ActorScheduler: errors, stop, timeout, signal', OPTIONS, () => {
  test('an actor that throws rejects run() at once and is removed; other mail stays for the next run', async () => {
    const failure = new Error('bad message');
    const log: string[] = [];
    const sched = new ActorScheduler<{ fragile: number; steady: number }>();
    sched.newActor(
      'fragile',
      (function* (): Generator<void, void, number> {
        while (true) if ((yield) < 0) throw failure;
      })(),
    );
    sched.newActor(
      'steady',
      (function* (): Generator<void, void, number> {
        while (true) log.push(`steady got ${yield}`);
      })(),
    );
    sched.send('steady', 1);
    sched.send('fragile', -1);
    sched.send('steady', 2);
    sched.send('fragile', 5); // for a removed actor: dropped
    await assert.rejects(sched.run(), (err) => err === failure);
    assert.deepEqual(log, ['steady got 1']);
    assert.equal(sched.has('fragile'), false);
    assert.equal(sched.running, false);
    assert.equal(await sched.run(), true);
    assert.deepEqual(log, ['steady got 1', 'steady got 2']);
  });

  test('an actor that yields a promise gets a TypeError thrown in at that yield', async () => {
    const sched = new ActorScheduler<{ lazy: number; careful: number }>();
    sched.newActor(
      'lazy',
      (function* (): Generator<unknown, void, number> {
        yield;
        yield Promise.resolve(1);
      })(),
    );
    let caught: unknown;
    const got: number[] = [];
    sched.newActor(
      'careful',
      (function* (): Generator<unknown, void, number> {
        got.push(yield);
        try {
          yield Promise.resolve(2);
        } catch (err) {
          caught = err;
        }
        while (true) got.push(yield);
      })(),
    );
    sched.send('careful', 1);
    sched.send('careful', 2);
    assert.equal(await sched.run(), true);
    assert.ok(caught instanceof TypeError, `caught: ${caught}`);
    assert.deepEqual(got, [1, 2], 'the careful actor caught it and kept receiving');
    sched.send('lazy', 0);
    await assert.rejects(sched.run(), { name: 'TypeError', message: /"lazy" yielded a promise/ });
    assert.equal(sched.has('lazy'), false);
  });

  test('stop() from inside an actor ends the run after that delivery; run() again continues', async () => {
    const printed: number[] = [];
    let sched!: ActorScheduler<CounterMessages>;
    sched = counterAndPrinter((n) => {
      printed.push(n);
      if (n === 8) sched.stop();
    });
    sched.send('counter', 10);
    assert.equal(await sched.run(), false);
    assert.deepEqual(printed, [10, 9, 8]);
    assert.ok(sched.pending > 0, 'mail is left for the next run');
    assert.equal(await sched.run(), true);
    assert.deepEqual(printed, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  test('timeout resolves false with mail still pending; timeout 0 delivers nothing', async () => {
    const sched = pingPong();
    assert.equal(await sched.run({ timeout: 20 }), false);
    assert.equal(sched.pending, 1);
    assert.equal(await sched.run({ timeout: 0 }), false);
    assert.equal(sched.pending, 1);
  });

  test('signal: an abort rejects with its reason and leaves no listener', async () => {
    const sched = pingPong();
    const controller = new AbortController();
    const run = sched.run({ signal: controller.signal });
    setTimeout(() => controller.abort('enough'), 5);
    await assert.rejects(run, (err) => err === 'enough');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    assert.equal(sched.running, false);
    await assert.rejects(sched.run({ signal: controller.signal }), (err) => err === 'enough');
  });

  test('a second run() while one is in progress rejects with RuntimeError', async () => {
    const sched = pingPong();
    const first = sched.run();
    await assert.rejects(sched.run(), RuntimeError);
    sched.stop();
    assert.equal(await first, false);
  });

  test('invalid options make run() reject; bad constructor options throw', async () => {
    const sched = pingPong();
    await assert.rejects(sched.run({ timeout: -5 }), RangeError);
    await assert.rejects(sched.run({ signal: {} as never }), TypeError);
    assert.throws(() => new ActorScheduler({ budget: -1 }), RangeError);
  });
});

describe('ActorScheduler: the event loop stays alive during a run', OPTIONS, () => {
  test('a timer set before an endless exchange of messages fires during it', async () => {
    const sched = pingPong();
    setTimeout(() => sched.stop(), 1);
    assert.equal(await sched.run(), false);
  });

  test('a setImmediate callback runs while the 1 M-message counter is still going', async () => {
    let printedWhenFired = -1;
    let printed = 0;
    const sched = counterAndPrinter(() => printed++);
    setImmediate(() => {
      printedWhenFired = printed;
    });
    sched.send('counter', 1_000_000);
    assert.equal(await sched.run(), true);
    assert.ok(
      printedWhenFired > 0 && printedWhenFired < 1_000_000,
      `fired after ${printedWhenFired}`,
    );
  });

  test('budget 0 gives the event loop a turn after every delivery', async () => {
    const sched = new ActorScheduler<{ a: number }>({ budget: 0 });
    let fired = false;
    const seen: boolean[] = [];
    sched.newActor(
      'a',
      (function* (): Generator<void, void, number> {
        while (true) {
          yield;
          seen.push(fired);
        }
      })(),
    );
    sched.send('a', 1);
    sched.send('a', 2);
    setImmediate(() => {
      fired = true;
    });
    await sched.run();
    // Priming is the first delivery; the immediate runs right after it.
    assert.deepEqual(seen, [true, true]);
  });
});
