// Pipe's bytes messages, after CPython's test_multiprocessing (send_bytes with offset and size,
// message boundaries never merged, an empty message, a 16 MB message), plus what weft chose
// where Python is silent or harsh: a message longer than maxLength is refused and stays.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pipe } from '../src/index.js';
import { TEST_OPTIONS, track } from './support/async-helpers.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);
describe('Pipe: bytes', TEST_OPTIONS, () => {
  const alphabet = bytes('abcdefghijklmnopqrstuvwxyz');

  test('sendBytes(buffer, offset, size) sends that range, counted in bytes', async () => {
    const [a, b] = Pipe();
    const cases: [number | undefined, number | undefined, string][] = [
      [undefined, undefined, 'abcdefghijklmnopqrstuvwxyz'],
      [5, undefined, 'fghijklmnopqrstuvwxyz'],
      [7, 8, 'hijklmno'],
      [26, undefined, ''],
      [26, 0, ''],
    ];
    for (const [offset, size] of cases) await a.sendBytes(alphabet, offset, size);
    for (const [, , expected] of cases) assert.equal(text(await b.recvBytes()), expected);
  });

  test('a range outside the buffer is a RangeError, a bad buffer or count a TypeError; nothing is sent', async () => {
    const [a, b] = Pipe();
    for (const [offset, size] of [
      [27, undefined],
      [22, 5],
      [26, 1],
      [-1, undefined],
      [4, -1],
    ]) {
      await assert.rejects(
        a.sendBytes(alphabet, offset, size),
        RangeError,
        `offset ${offset}, size ${size}`,
      );
    }
    await assert.rejects(a.sendBytes(alphabet, 1.5), TypeError);
    await assert.rejects(a.sendBytes('abc' as never), TypeError);
    assert.equal(await b.poll(), false);
  });

  test('every kind of buffer is read as its bytes; the message is a copy', async () => {
    const [a, b] = Pipe();
    const words = new Uint16Array([0x0201, 0x0403]);
    await a.sendBytes(words, 2);
    await a.sendBytes(Buffer.from('buf'));
    await a.sendBytes(new DataView(alphabet.buffer, 3, 2));
    const raw = new Uint8Array([9, 9]);
    await a.sendBytes(raw.buffer);
    raw[0] = 0;
    assert.deepEqual([...(await b.recvBytes())], [...new Uint8Array(words.buffer, 2)]);
    const buf = await b.recvBytes();
    assert.equal(text(buf), 'buf');
    assert.equal(buf.constructor, Uint8Array);
    assert.equal(text(await b.recvBytes()), 'de');
    assert.deepEqual([...(await b.recvBytes())], [9, 9]);
  });

  test('messages keep their boundaries: they are never merged or split', async () => {
    const [a, b] = Pipe();
    for (const s of ['a', 'b', 'cd', '', 'efg']) await a.sendBytes(bytes(s));
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push(text(await b.recvBytes()));
    assert.deepEqual(got, ['a', 'b', 'cd', '', 'efg']);
  });

  test('a 16 MB message arrives whole', async () => {
    const [a, b] = Pipe();
    const big = new Uint8Array(16 * 1024 * 1024).fill(88);
    big[big.length - 1] = 89;
    await a.sendBytes(big);
    const got = await b.recvBytes();
    assert.equal(got.byteLength, big.byteLength);
    assert.equal(got[got.length - 1], 89);
  });

  test('recvBytes(maxLength) refuses a longer message with a RangeError; it stays for the next receive', async () => {
    const [a, b] = Pipe();
    await a.sendBytes(alphabet);
    await assert.rejects(
      b.recvBytes(10),
      (err: Error) => err instanceof RangeError && /26 bytes/.test(err.message),
    );
    assert.equal(text(await b.recvBytes(26)), 'abcdefghijklmnopqrstuvwxyz');
  });

  test('a parked recvBytes(maxLength) refuses a longer message when it arrives; the next recv gets it', async () => {
    const [a, b] = Pipe();
    const small = track(b.recvBytes(2));
    await a.sendBytes(alphabet);
    await assert.rejects(small.promise, RangeError);
    assert.equal(text((await b.recv()) as Uint8Array), 'abcdefghijklmnopqrstuvwxyz');
  });

  test('recvBytes refuses a message sent with send() (it stays); recv takes bytes as a Uint8Array', async () => {
    const [a, b] = Pipe();
    await a.send({ not: 'bytes' });
    await assert.rejects(b.recvBytes(), TypeError);
    assert.deepEqual(await b.recv(), { not: 'bytes' });
    await a.sendBytes(bytes('raw'));
    const got = await b.recv();
    assert.ok(got instanceof Uint8Array);
    assert.equal(text(got), 'raw');
  });

  test('maxLength must be a whole number >= 0', async () => {
    const [, b] = Pipe();
    await assert.rejects(b.recvBytes(-1), RangeError);
    await assert.rejects(b.recvBytes(2.5), TypeError);
    await assert.rejects(b.recvBytes('10' as never), TypeError);
  });
});
