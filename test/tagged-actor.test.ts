// TaggedActor: [tag, ...payload] messages dispatched to the method named after the tag
// (the Cookbook's TaggedActor), typed at compile time, with unknown tags as clear errors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TaggedActor, type TaggedMessage, type TagHandlers } from '../src/index.js';
import { TEST_OPTIONS, tick } from './support/async-helpers.js';

interface CalcTags {
  add: [number, number];
  neg: [number];
  label: [string];
  reset: [];
}

class Calc extends TaggedActor<CalcTags> {
  readonly calls: string[] = [];
  add(a: number, b: number): number {
    this.calls.push(`add ${a} ${b}`);
    return a + b;
  }
  neg(x: number): number {
    this.calls.push(`neg ${x}`);
    return -x;
  }
  async label(text: string): Promise<string> {
    await tick();
    this.calls.push(`label ${text}`);
    return `<${text}>`;
  }
  reset(): void {
    this.calls.push('reset');
  }
}

describe('TaggedActor', TEST_OPTIONS, () => {
  test('calls the method named after each tag with the payload, in order', async () => {
    const calc = new Calc().start();
    await calc.send(['add', 1, 2]);
    await calc.send(['label', 'x']);
    await calc.send(['neg', 5]);
    await calc.send(['reset']);
    calc.close();
    assert.equal(await calc.join(), true);
    assert.deepEqual(calc.calls, ['add 1 2', 'label x', 'neg 5', 'reset']);
  });

  test("ask resolves with what the tag's method returns (awaited), typed per tag", async () => {
    const calc = new Calc().start();
    const sum: number = await calc.ask(['add', 2, 3]);
    const label: string = await calc.ask(['label', 'hi']);
    const nothing = await calc.ask(['reset']);
    assert.equal(sum, 5);
    assert.equal(label, '<hi>');
    assert.equal(nothing, undefined);
    calc.close();
    await calc.join();
  });

  test('an asked unknown tag rejects with a TypeError naming it and the known tags; the actor carries on', async () => {
    const calc = new Calc().start();
    const unknownTag = ['mul', 2, 3] as unknown as TaggedMessage<CalcTags>;
    await assert.rejects(calc.ask(unknownTag as ['add', number, number]), (err: Error) => {
      assert.ok(err instanceof TypeError);
      assert.match(err.message, /unknown tag "mul"/);
      assert.match(err.message, /"add", "neg", "label", "reset"/);
      return true;
    });
    assert.equal(await calc.ask(['neg', 1]), -1);
    calc.close();
    assert.equal(await calc.join(), true);
  });

  test('a sent unknown tag ends the actor: join() rejects with the TypeError', async () => {
    const calc = new Calc().start();
    await calc.send(['nope'] as unknown as TaggedMessage<CalcTags>);
    await assert.rejects(
      calc.join(),
      (err: Error) => err instanceof TypeError && /"nope"/.test(err.message),
    );
  });

  test('a message that is not a [tag, ...payload] tuple is a TypeError', async () => {
    const calc = new Calc().start();
    for (const bad of ['add', [], [42, 1], null]) {
      await assert.rejects(
        calc.ask(bad as unknown as ['reset']),
        (err: Error) => err instanceof TypeError && /\[tag, \.\.\.payload\]/.test(err.message),
      );
    }
    calc.close();
    await calc.join();
  });

  test("Actor's own methods and Object's are never tags, even when a subclass overrides them", async () => {
    class Guarded extends TaggedActor<{ ping: [] }> {
      closes = 0;
      ping(): string {
        return 'pong';
      }
      override close(): void {
        this.closes++;
        super.close();
      }
    }
    const actor = new Guarded().start();
    for (const tag of ['close', 'send', 'run', 'handle', 'constructor', 'toString', '__proto__']) {
      await assert.rejects(actor.ask([tag] as unknown as ['ping']), TypeError, `tag ${tag}`);
    }
    assert.equal(actor.closes, 0);
    assert.equal(await actor.ask(['ping']), 'pong');
    actor.close();
    await actor.join();
  });

  test('handler methods are inherited through subclasses; the most derived one wins', async () => {
    class Base extends TaggedActor<{ who: []; base: [] }> {
      who(): string {
        return 'base';
      }
      base(): string {
        return 'from base';
      }
    }
    class Derived extends Base {
      override who(): string {
        return 'derived';
      }
    }
    const actor = new Derived().start();
    assert.equal(await actor.ask(['who']), 'derived');
    assert.equal(await actor.ask(['base']), 'from base');
    actor.close();
    await actor.join();
  });

  test('tag/payload pairs and the handler methods are checked at compile time', () => {
    // Type-checked by `tsc -p tsconfig.check.json`; never run.
    const compileOnly = (calc: Calc) => {
      // @ts-expect-error: 'add' takes two numbers
      void calc.send(['add', 1]);
      // @ts-expect-error: 'neg' takes a number
      void calc.send(['neg', 'one']);
      // @ts-expect-error: no such tag
      void calc.send(['mul', 1, 2]);
      // @ts-expect-error: 'add' replies with a number
      const _label: Promise<string> = calc.ask(['add', 1, 2]);
      class MissingNeg extends TaggedActor<{ add: [number, number]; neg: [number] }> {
        add(a: number, b: number): number {
          return a + b;
        }
      }
      // @ts-expect-error: start() needs a handler method for every tag ('neg' is missing)
      new MissingNeg().start();
      const handlers: TagHandlers<CalcTags> = calc; // a complete actor has them all
      return handlers;
    };
    assert.equal(typeof compileOnly, 'function');
  });
});
