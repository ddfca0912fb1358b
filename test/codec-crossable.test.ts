// The check every crossing value passes at the call (src/codec/crossable.ts): it walks plain
// data instead of cloning it, so it must refuse exactly what the transport would refuse,
// name where the offending value sits, and accept everything the transport carries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { encodeValues } from '../src/codec/codec.js';
import type { Destination } from '../src/codec/descriptor.js';

const DESTINATIONS: Destination[] = ['thread', 'process'];

function refusal(value: unknown, to: Destination): TypeError {
  try {
    encodeValues([value], 'f()', 'argument', to);
  } catch (error) {
    assert.ok(error instanceof TypeError, `a TypeError, got ${error}`);
    return error;
  }
  assert.fail(`${String(value)} was accepted for a ${to}`);
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

for (const to of DESTINATIONS) {
  describe(`crossing into a ${to}`, () => {
    test('plain data, nested and cyclic, is accepted as it is', () => {
      const cyclic: Record<string, unknown> = { name: 'a' };
      cyclic.self = cyclic;
      const values = [
        1,
        'text',
        null,
        undefined,
        10n,
        [1, [2, [3]]],
        { a: { b: [new Date(0), /x/g, new Uint8Array(3), new ArrayBuffer(2)] } },
        new Map<unknown, unknown>([[{ k: 1 }, new Set([1, 2])]]),
        Object.create(null),
        cyclic,
        new Point(1, 2),
        new Error('boom'),
      ];
      const { values: out } = encodeValues(values, 'f()', 'argument', to);
      assert.equal(out.length, values.length);
      for (let i = 0; i < values.length; i++) assert.equal(out[i], values[i]);
    });

    test('a function or a Symbol anywhere is refused, naming where it sits', () => {
      assert.match(refusal(() => 1, to).message, /f\(\): argument 0 is function/);
      assert.match(refusal(Symbol('s'), to).message, /f\(\): argument 0 is Symbol\(s\)/);
      assert.match(refusal({ a: [1, { fn() {} }] }, to).message, /function fn at \.a\[1\]\.fn/);
      assert.match(refusal([0, Symbol('t')], to).message, /Symbol\(t\) at \[1\]/);
      assert.match(refusal(new Map([['k', () => 0]]), to).message, /at \.get\("k"\)/);
      assert.match(refusal(new Set([Symbol.iterator]), to).message, /a member/);
    });

    test('what only the transport can judge is tried by it: a WeakMap or a port is refused', () => {
      assert.match(refusal({ cache: new WeakMap() }, to).message, /WeakMap at \.cache/);
      const { port1, port2 } = new MessageChannel();
      try {
        assert.match(refusal([port1], to).message, /cannot cross/);
      } finally {
        port1.close();
        port2.close();
      }
    });
  });
}
