/**
 * How arguments, results and errors of Redis tasks are written: a record as JSON text when
 * JSON carries it exactly (most records: numbers, strings, plain objects), else V8-serialized
 * (Maps, Sets, dates, buffers, `undefined`, instances of portable classes). A weft primitive
 * (a Queue, a Lock, a handle) cannot go through Redis: it is refused at the call, naming the
 * value, before any connection to it is opened.
 * @module
 */
import { serialize } from 'node:v8';
import { decodeValues, type PlanMemo, planValue } from '../codec/codec.js';
import { checkCrossable } from '../codec/crossable.js';
import { whenDecodable } from '../codec/decodable.js';
import { describe } from '../core/options.js';
import { jsonText } from '../remote/frame-body.js';
import { decodeRedisValue } from './value-codec.js';

/**
 * `values` ready to be written into a Redis record: each checked (a TypeError naming the
 * value that cannot cross, `${what} ${i}` of the call `where`), instances of portable classes
 * replaced by what they cross as. Returns `values` itself when none needed replacing.
 */
export function encodeRedisValues(
  values: readonly unknown[],
  where: string,
  what = 'argument',
): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'function' || typeof value === 'symbol') {
        checkCrossable(value, where, `${what} ${i}`, 'process'); // throws, naming it
      }
      continue;
    }
    const memo: PlanMemo = new Map();
    const plan = planValue(value, memo, 'process');
    if (memo.size > 0) {
      // The plan met weft primitives (their connections are opened only by plan.open(),
      // never called here): nothing was opened.
      throw new TypeError(
        `${where}: ${what} ${i} (${describe(value)}) is or holds a weft primitive (a queue, a lock, a handle…), ` +
          'which cannot travel through Redis; pass data, or use the Redis-scope objects (RedisQueue, RedisLock…) by name',
      );
    }
    checkCrossable(plan === undefined ? value : plan.value, where, `${what} ${i}`, 'process');
    if (plan !== undefined) {
      out ??= values.slice();
      out[i] = plan.value;
    }
  }
  return out ?? (values as unknown[]);
}

/**
 * The receiving side of {@link encodeRedisValues}: resolves with the values, instances of
 * portable classes rebuilt (their classes loaded first).
 */
export async function decodeRedisValues(values: readonly unknown[]): Promise<unknown[]> {
  const loading = whenDecodable(values);
  if (loading !== undefined) await loading;
  return decodeValues(values);
}

/**
 * `record` as it is stored: JSON text when JSON carries it exactly, else a V8 buffer. The
 * text stays a string: ioredis writes a command of strings as one string, where a Buffer
 * argument has it copy the command into a buffer of its own.
 */
export function packRecord(record: unknown): string | Buffer {
  return jsonText(record) ?? serialize(record);
}

/** The record {@link packRecord} wrote (read as `RedisQueue` reads its values). */
export const unpackRecord: (data: Buffer) => unknown = decodeRedisValue;
