/**
 * How values travel through Redis: plain data (what JSON carries exactly) as JSON text, so
 * another program (or `redis-cli`) can read it; anything else V8 serialization carries (a
 * Map, a Date, a typed array, `undefined`, a bigint) V8-serialized. A reader tells them apart
 * by the first byte: V8's serialization begins with its version tag (0xff), which UTF-8 text
 * never holds.
 *
 * A value that cannot cross (a function, a symbol, an instance of a class with methods or
 * private members) is a TypeError at the call that names it, before anything reaches Redis.
 * @module
 */
import { deserialize, serialize } from 'node:v8';
import { checkCrossable } from '../codec/crossable.js';
import { jsonText } from '../remote/frame-body.js';

/** V8's serialization version tag: the first byte of every V8-serialized value. */
const V8_TAG = 0xff;

/**
 * The bytes `value` is stored as. Throws a TypeError naming `label` of the call `where`
 * when it cannot cross.
 */
export function encodeRedisValue(value: unknown, where: string, label: string): Buffer {
  if (typeof value === 'string') return Buffer.from(JSON.stringify(value));
  checkCrossable(value, where, label, 'process');
  const text = jsonText(value);
  return text === undefined ? serialize(value) : Buffer.from(text);
}

/** The value `encodeRedisValue` stored as `bytes`. */
export function decodeRedisValue(bytes: Buffer): unknown {
  if (bytes[0] === V8_TAG) return deserialize(bytes);
  return JSON.parse(bytes.toString('utf8'));
}
