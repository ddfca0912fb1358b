// A socket frame's body as JSON text when JSON carries it exactly, V8-serialized otherwise
// (src/remote/frame-body.ts): whichever way a frame goes, it reads back as V8 would have
// carried it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import { jsonText, readFrame } from '../src/remote/frame-body.js';

/** What the reader makes of `frame`, written the way the socket link writes it. */
function carried(frame: unknown[]): { json: boolean; value: unknown } {
  const text = jsonText(frame);
  const body = text === undefined ? serialize(frame) : Buffer.from(text);
  // Read from the middle of a larger buffer, as frames arrive several to a chunk.
  const data = Buffer.concat([Buffer.from([1, 2, 3]), body, Buffer.from([4])]);
  return { json: text !== undefined, value: readFrame(data, 3, 3 + body.length) };
}

function sparse(): unknown[] {
  const array: unknown[] = [1];
  array[2] = 3;
  return array;
}

function named(): unknown[] {
  const array: unknown[] = [1, 2];
  (array as unknown as { extra: number }).extra = 3;
  return array;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('socket frame bodies', () => {
  test("the handle protocol's small messages go as JSON, and read back the same", () => {
    for (const payload of [
      { op: 'call', id: 7, method: 'set', args: [3, 5], party: 0 },
      [
        { op: 'call', id: 8, method: 'get', args: ['k'], party: 2 },
        { id: 9, ok: true, value: { a: [1, 'two', null, false], b: {} } },
      ],
      { op: 'confirm', ids: [-4, 2, 5] },
      'a token',
      { text: 'héllo wörld ✓ \u{1F600}', lone: '\uD800 alone', quote: '"\\\n' },
      { __proto__key: 1, ['__proto__']: { x: 1 } },
      { 2: 'b', 1: 'a', z: 0, y: 1 },
      [1.5, -2, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, 1e-300],
    ]) {
      const frame = [3, 1, payload];
      const { json, value } = carried(frame);
      assert.equal(json, true, JSON.stringify(payload));
      assert.deepEqual(value, deserialize(serialize(frame)));
      assert.deepEqual(Object.keys(value as object), Object.keys(frame));
    }
  });

  test('what JSON would change goes V8-serialized, and reads back as V8 carried it', () => {
    for (const [what, payload] of Object.entries({
      undefined,
      'undefined in an array': [1, undefined],
      'a property set to undefined': { state: undefined },
      '-0': -0,
      'NaN and the infinities': [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      'an array with a hole': sparse(),
      'an array with a named property': named(),
      'a bigint': 10n,
      'a Map': new Map([[1, 2]]),
      'a Set': new Set([1]),
      'a Date': new Date(0),
      'a RegExp': /re/g,
      'a typed array': new Uint8Array([1, 2]),
      'a null-prototype object': Object.create(null) as object,
      'an Error': new Error('boom'),
      'nested 40 deep': nested(40),
      'past the nodes looked at': Array.from({ length: 2_000 }, (_, i) => i),
    })) {
      const frame = [3, 1, payload];
      const { json, value } = carried(frame);
      assert.equal(json, false, what);
      assert.deepEqual(value, deserialize(serialize(frame)));
    }
  });

  test('a cycle goes V8-serialized (JSON cannot write it)', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const { json, value } = carried([1, 1, cyclic]);
    assert.equal(json, false);
    const back = (value as unknown[])[2] as Record<string, unknown>;
    assert.equal(back.self, back);
  });
});
