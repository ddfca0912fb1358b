/**
 * How a `SharedQueue` item is written into its ring of bytes. The common small values —
 * numbers, short strings, booleans, `null`, `undefined` — are written and read in place
 * (a tag and the raw value), since V8's serializer costs more to set up than such a value
 * costs to copy; anything else goes through `v8.serialize`, outside the queue's mutex, and
 * is deserialized by the getter after it has left the mutex.
 * @module
 */
import { deserialize, serialize } from 'node:v8';

export enum Tag {
  V8 = 0,
  INT = 1,
  FLOAT = 2,
  STRING = 3,
  TRUE = 4,
  FALSE = 5,
  NULL = 6,
  UNDEFINED = 7,
}

/** Strings up to this length are copied in place (as UTF-16 units); longer ones V8 packs better. */
export const SHORT_STRING = 256;

/** An item ready to be written: the value itself (written in place) or its V8 bytes. */
export type Prepared = number | string | boolean | null | undefined | V8Bytes;

/** An item's V8-serialized bytes: in a put, what to copy in; in a get, what to deserialize. */
export class V8Bytes {
  constructor(readonly bytes: Uint8Array) {}
}

/** Prepares `item` outside the mutex: a value written in place stays as it is; the rest is serialized (may throw). */
export function prepare(item: unknown): Prepared {
  switch (typeof item) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return item;
    case 'string':
      if (item.length <= SHORT_STRING) return item;
      break;
    case 'object':
      if (item === null) return null;
  }
  return new V8Bytes(serialize(item));
}

/** The tag `prepared` is written with. */
export function tagOf(prepared: Prepared): Tag {
  switch (typeof prepared) {
    case 'number':
      return (prepared | 0) === prepared && !Object.is(prepared, -0) ? Tag.INT : Tag.FLOAT;
    case 'string':
      return Tag.STRING;
    case 'boolean':
      return prepared ? Tag.TRUE : Tag.FALSE;
    case 'undefined':
      return Tag.UNDEFINED;
  }
  return prepared === null ? Tag.NULL : Tag.V8;
}

/** The payload bytes `prepared` takes with tag `tag`. */
export function payloadBytes(prepared: Prepared, tag: Tag): number {
  switch (tag) {
    case Tag.INT:
      return 4;
    case Tag.FLOAT:
      return 8;
    case Tag.STRING:
      return (prepared as string).length * 2;
    case Tag.V8:
      return (prepared as V8Bytes).bytes.byteLength;
    default:
      return 0;
  }
}

const scratch = new Float64Array(1);
const scratchWords = new Int32Array(scratch.buffer);

/** The views of a ring the codec writes through; `at` is a byte offset, a multiple of 4. */
export interface RingViews {
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
  readonly units: Uint16Array;
}

/** Writes `prepared`'s payload at byte `at`. */
export function writePayload(views: RingViews, at: number, prepared: Prepared, tag: Tag): void {
  switch (tag) {
    case Tag.INT:
      views.words[at >> 2] = prepared as number;
      return;
    case Tag.FLOAT:
      scratch[0] = prepared as number;
      views.words[at >> 2] = scratchWords[0]!;
      views.words[(at >> 2) + 1] = scratchWords[1]!;
      return;
    case Tag.STRING: {
      const text = prepared as string;
      const units = views.units;
      const base = at >> 1;
      for (let i = 0; i < text.length; i++) units[base + i] = text.charCodeAt(i);
      return;
    }
    case Tag.V8:
      views.bytes.set((prepared as V8Bytes).bytes, at);
  }
}

/** Reads the payload at byte `at`: the value, or (for `Tag.V8`) a copy of its bytes to deserialize. */
export function readPayload(views: RingViews, at: number, length: number, tag: Tag): unknown {
  switch (tag) {
    case Tag.INT:
      return views.words[at >> 2];
    case Tag.FLOAT:
      scratchWords[0] = views.words[at >> 2]!;
      scratchWords[1] = views.words[(at >> 2) + 1]!;
      return scratch[0];
    case Tag.STRING: {
      const base = at >> 1;
      const units = views.units.subarray(base, base + (length >> 1));
      return String.fromCharCode.apply(null, units as unknown as number[]);
    }
    case Tag.TRUE:
      return true;
    case Tag.FALSE:
      return false;
    case Tag.NULL:
      return null;
    case Tag.UNDEFINED:
      return undefined;
    default:
      return new V8Bytes(views.bytes.slice(at, at + length));
  }
}

/** What a get hands over, made whole: V8 bytes deserialized (outside the mutex). */
export function finish(value: unknown): unknown {
  return value instanceof V8Bytes ? deserialize(value.bytes) : value;
}
