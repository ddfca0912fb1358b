// How a SharedQueue stores its items (item-codec.ts): numbers, short strings, booleans, null
// and undefined are written in place with a tag, everything else as V8's serialization.
// Each tag round-trips exactly, at its edges (-0, NaN, the int32 bounds, lone surrogates, the
// empty string, the longest string kept in place), through a ring that wraps; an item just at
// the ring's size limit goes in, one byte more is a RangeError that changes nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serialize } from 'node:v8';
import { SharedQueue } from '../src/index.js';
import { payloadBytes, prepare, SHORT_STRING, Tag, tagOf } from '../src/shared/item-codec.js';

/** Each tag's items, at their edges. */
const BY_TAG: ReadonlyArray<readonly [Tag, readonly unknown[]]> = [
  [Tag.INT, [0, 1, -1, 42, 2 ** 31 - 1, -(2 ** 31)]],
  [
    Tag.FLOAT,
    [
      -0,
      Number.NaN,
      0.5,
      -1.25,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 53,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      Infinity,
      -Infinity,
    ],
  ],
  [
    Tag.STRING,
    [
      '',
      'a',
      'é∂🎉',
      '\ud800',
      'x\udc00y',
      '\udfff\ud800',
      '\u0000\uffff',
      'z'.repeat(SHORT_STRING),
      '🎉'.repeat(SHORT_STRING / 2),
    ],
  ],
  [Tag.TRUE, [true]],
  [Tag.FALSE, [false]],
  [Tag.NULL, [null]],
  [Tag.UNDEFINED, [undefined]],
  [
    Tag.V8,
    [
      'z'.repeat(SHORT_STRING + 1),
      '\ud800'.repeat(SHORT_STRING + 1),
      10n ** 30n,
      { a: [1, -0, Number.NaN] },
      [undefined, null],
      new Date(0),
      new Uint8Array([1, 2, 3]),
    ],
  ],
];

/** Equal as a get must return it: Object.is for the values written in place (-0, NaN). */
function assertSame(got: unknown, put: unknown, what: string): void {
  if (typeof put === 'object' && put !== null) assert.deepEqual(got, put, what);
  else assert.ok(Object.is(got, put), `${what}: got ${String(got)}`);
}

describe('SharedQueue items', () => {
  test('each item is written with the tag meant for it', () => {
    for (const [tag, items] of BY_TAG) {
      for (const item of items) {
        assert.equal(tagOf(prepare(item)), tag, `${typeof item} ${String(item).slice(0, 20)}`);
      }
    }
  });

  test('every tag round-trips exactly, one item at a time and all in a row', async () => {
    const q = new SharedQueue<unknown>({ bytes: 1 << 16 });
    const all = BY_TAG.flatMap(([, items]) => items);
    for (const item of all) {
      await q.put(item);
      assertSame(await q.get(), item, 'alone');
    }
    for (const item of all) q.putNowait(item);
    assert.equal(q.qsize(), all.length);
    for (const item of all) assertSame(q.getNowait(), item, 'in a row');
  });

  test('items of every tag, mixed, come out whole as the ring wraps many times', () => {
    // 512 bytes hold a few records at most, so the tail passes the end again and again.
    const q = new SharedQueue<unknown>({ bytes: 512 });
    const all = BY_TAG.flatMap(([, items]) => items);
    const pending: unknown[] = [];
    let passed = 0;
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k < 3; k++) {
        const item = all[(round * 7 + k * 5) % all.length];
        try {
          q.putNowait(item);
          pending.push(item);
        } catch (err) {
          // Too large for the room left now (or for the ring): it must not have gone in.
          assert.ok(['QueueFull', 'RangeError'].includes((err as Error).name), String(err));
        }
      }
      for (let k = Math.ceil(pending.length / 2); k > 0; k--) {
        assertSame(q.getNowait(), pending.shift(), `round ${round}`);
        passed++;
      }
      assert.equal(q.qsize(), pending.length);
    }
    while (pending.length > 0) assertSame(q.getNowait(), pending.shift(), 'the rest');
    assert.ok(passed > 200, `many items went through (${passed})`);
  });

  test('records take the bytes the docs give: a header of 4 and the payload, padded to 4', () => {
    // Items of one kind into a 64-byte ring until it is full: how many fit says their size.
    const fits = (item: unknown): number => {
      const q = new SharedQueue<unknown>({ bytes: 64 });
      let count = 0;
      for (;;) {
        try {
          q.putNowait(item);
        } catch (err) {
          assert.equal((err as Error).name, 'QueueFull');
          return count;
        }
        count++;
      }
    };
    assert.equal(fits(-(2 ** 31)), 64 / 8, 'an int32: 4 + 4');
    assert.equal(fits(2 ** 31), Math.floor(64 / 12), 'another number: 4 + 8');
    assert.equal(fits(-0), Math.floor(64 / 12), '-0 is not an int32');
    assert.equal(fits('abcdef'), 64 / 16, '6 units: 4 + 12');
    assert.equal(fits('abcde'), 64 / 16, '5 units: 4 + 10, padded to 12');
    assert.equal(fits(''), 64 / 4, 'the empty string: the header alone');
    for (const item of [true, false, null, undefined]) {
      assert.equal(fits(item), 64 / 4, `${item}: the header alone`);
    }
  });

  test('a string in place just at the ring size limit goes in; one unit more is a RangeError', async () => {
    // 64 bytes: a record's 4-byte header leaves 60 for the payload, 30 UTF-16 units.
    const q = new SharedQueue<string>({ bytes: 64 });
    const fits = '\ud83c'.repeat(30);
    assert.equal(payloadBytes(prepare(fits), tagOf(prepare(fits))), 60);
    await q.put(fits);
    assert.equal(await q.get(), fits);
    const over = `${fits}y`;
    await assert.rejects(q.put(over), RangeError);
    assert.throws(() => q.putNowait(over), RangeError);
    assert.equal(q.qsize(), 0);
    q.putNowait(fits);
    assert.equal(q.getNowait(), fits);
  });

  test('a serialized item just at the ring size limit goes in; one byte more is a RangeError', async () => {
    const bytes = 1024;
    const largest = bytes - 4;
    const q = new SharedQueue<string>({ bytes });
    // A one-byte string past the in-place limit: V8 writes a header, then one byte a character.
    const overhead = serialize('x'.repeat(SHORT_STRING + 1)).byteLength - (SHORT_STRING + 1);
    const fits = 'x'.repeat(largest - overhead);
    assert.equal(serialize(fits).byteLength, largest);
    assert.equal(tagOf(prepare(fits)), Tag.V8);
    await q.put('first');
    // Not now: the ring holds 'first'; once it is taken, the largest item fills the ring.
    assert.throws(() => q.putNowait(fits), { name: 'QueueFull' });
    assert.equal(await q.get(), 'first');
    await q.put(fits);
    assert.equal(q.qsize(), 1);
    assert.equal(await q.get(), fits);
    const over = `${fits}x`;
    assert.equal(serialize(over).byteLength, largest + 1);
    await assert.rejects(q.put(over), RangeError);
    assert.equal(q.qsize(), 0);
  });
});
