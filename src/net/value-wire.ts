/**
 * How a socket `Connection` encodes a value: V8's serialization format (data only:
 * `v8.deserialize` never builds code), with a fast path for plain JSON data — objects of
 * `Object.prototype`, dense arrays, strings, finite numbers, booleans, `null`, each object
 * reached once — which `JSON.stringify` writes several times faster than a V8 serializer
 * is made, and which decodes to exactly the same value. A payload says which it is by its
 * first byte: V8's format starts with its version tag (0xFF), JSON text never does.
 * @module
 */

import { deserialize, serialize } from 'node:v8';
import { describe } from '../core/options.js';
import type { Wire } from '../pipe/pipe.js';

const V8_VERSION_TAG = 0xff;
/** Deeper than this, a value takes the V8 path (whose serializer does not recurse on the JS stack). */
const MAX_JSON_DEPTH = 32;

/** Values over a socket: JSON when it round-trips exactly, V8's format otherwise. */
export const SOCKET_WIRE: Wire = {
  encode(value) {
    if (isPlainData(value, 0, undefined)) return Buffer.from(JSON.stringify(value), 'utf8');
    try {
      return serialize(value);
    } catch (error) {
      throw new TypeError(
        `Connection.send(): the value (${describe(value)}) cannot be sent: ${(error as Error).message}`,
        { cause: error },
      );
    }
  },
  decode(data) {
    const payload = data as Buffer;
    return payload[0] === V8_VERSION_TAG
      ? deserialize(payload)
      : JSON.parse(payload.toString('utf8'));
  },
};

/**
 * Whether JSON carries `value` exactly as V8's format would: no `undefined`, `-0`, `NaN`,
 * `BigInt`, `Date`, `Map`, class instance, holes or extra properties on arrays, and no
 * object reached twice (V8 keeps the sharing, JSON would copy it).
 */
function isPlainData(value: unknown, depth: number, seen: Set<object> | undefined): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_JSON_DEPTH) return false;
      if (seen === undefined) seen = new Set();
      else if (seen.has(value)) return false;
      seen.add(value);
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlainData(value[i], depth + 1, seen)) return false;
        }
        return Object.keys(value).length === value.length;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!isPlainData(record[key], depth + 1, seen)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
