/**
 * How a socket frame's body is written (socket-link.ts): as JSON text when it holds only
 * what JSON carries exactly — finite numbers other than -0, strings, booleans, `null`, and
 * arrays and plain objects of those — and V8-serialized otherwise. Most frames of the handle
 * protocol are small messages of that kind (a call with a key and a number, its answer),
 * and `JSON.stringify` / `JSON.parse` cost a fraction of `v8.serialize` / `v8.deserialize`
 * on them, with no native serializer object per frame for the collector to finalize.
 *
 * The reader tells them apart by the first byte: V8's serialization begins with its
 * version tag (0xff), JSON text here with `[` (a frame is an array).
 * @module
 */
import { deserialize } from 'node:v8';

/** The first byte of a frame body written as JSON: `[`. */
const JSON_FRAME = 0x5b;

/** Values (nodes) a frame may hold and still be looked at for JSON: past that, V8 writes it. */
const MOST_NODES = 512;
/** Nesting a frame may have and still be looked at for JSON. */
const DEEPEST = 16;

/** Nodes left to look at in the frame being checked. */
let nodesLeft = 0;

/** Whether JSON carries `value` exactly as V8 serialization would. */
function fitsJson(value: unknown, depth: number): boolean {
  if (--nodesLeft < 0) return false;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // NaN and the infinities become null in JSON, -0 becomes 0.
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0);
    case 'object': {
      if (value === null) return true;
      if (depth >= DEEPEST) return false;
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Array.prototype) {
        const array = value as unknown[];
        for (let i = 0; i < array.length; i++) {
          // `undefined` and holes become null in JSON.
          const member = array[i];
          if (member === undefined || !fitsJson(member, depth + 1)) return false;
        }
        // Named properties on an array: V8 carries them, JSON does not.
        return Object.keys(array).length === array.length;
      }
      if (proto !== Object.prototype) return false;
      const object = value as Record<string, unknown>;
      for (const key in object) {
        // A property set to `undefined` is dropped by JSON.
        const member = object[key];
        if (member === undefined || !fitsJson(member, depth + 1)) return false;
      }
      return true;
    }
    default:
      // undefined, bigint, symbol, function.
      return false;
  }
}

/** `frame` as JSON text when JSON carries it exactly (then its body is that text, UTF-8); else `undefined`. */
export function jsonText(frame: unknown): string | undefined {
  nodesLeft = MOST_NODES;
  return fitsJson(frame, 0) ? JSON.stringify(frame) : undefined;
}

/** The frame whose body (JSON text or V8-serialized) is `data[start, end)`. */
export function readFrame(data: Buffer, start: number, end: number): unknown {
  if (data[start] === JSON_FRAME) return JSON.parse(data.toString('utf8', start, end));
  return deserialize(data.subarray(start, end));
}
