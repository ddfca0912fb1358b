/**
 * The element types of `SharedValue` and `SharedArray`: Python's `array`/`ctypes` typecodes
 * (`'i'`, `'d'`, ...) and their names (`'int32'`, `'float64'`, ...), each a typed-array class
 * and a byte size, and the check a value passes before it is written.
 * @module
 */

/** Each typecode and name, with the typed array that holds it. */
interface Views {
  b: Int8Array;
  int8: Int8Array;
  B: Uint8Array;
  uint8: Uint8Array;
  h: Int16Array;
  int16: Int16Array;
  H: Uint16Array;
  uint16: Uint16Array;
  i: Int32Array;
  int32: Int32Array;
  I: Uint32Array;
  uint32: Uint32Array;
  /** C `long` on Linux: 64 bits. */
  l: BigInt64Array;
  q: BigInt64Array;
  int64: BigInt64Array;
  L: BigUint64Array;
  Q: BigUint64Array;
  uint64: BigUint64Array;
  f: Float32Array;
  float32: Float32Array;
  d: Float64Array;
  float64: Float64Array;
}

/**
 * An element type: a Python typecode (`'b' 'B' 'h' 'H' 'i' 'I' 'l' 'L' 'q' 'Q' 'f' 'd'`) or
 * a name (`'int8'` ... `'uint64'`, `'float32'`, `'float64'`).
 */
export type TypeCode = keyof Views;

/** The typed array that views elements of type `T`. */
export type ViewOf<T extends TypeCode> = Views[T];

/**
 * What an element of type `T` reads and writes as: `bigint` for the 64-bit integers,
 * `number` for the others (`number | bigint` when `T` is not known).
 */
export type ElementOf<T extends TypeCode> = T extends unknown
  ? Views[T] extends BigInt64Array | BigUint64Array
    ? bigint
    : number
  : never;

/** Any of the typed arrays above. */
export type TypedView = Views[TypeCode];

type ViewClass = new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number) => TypedView;

/** What the other modules need of a type. */
export interface TypeInfo {
  /** As the caller spelled it (crosses into threads as is). */
  readonly code: TypeCode;
  /** The name (`'int32'`), for messages. */
  readonly name: string;
  /** `'an int32'`, `'a float64'`: the name with its article, for messages. */
  readonly a: string;
  readonly View: ViewClass;
  readonly bytes: number;
  /** Integers carry their bounds; floats take any number (rounded to 32 bits for `'f'`). */
  readonly min?: number | bigint;
  readonly max?: number | bigint;
}

function ints(
  name: string,
  View: ViewClass,
  bytes: number,
  signed: boolean,
): Omit<TypeInfo, 'code'> {
  const bits = bytes * 8;
  if (bits === 64) {
    const min = signed ? -(1n << 63n) : 0n;
    const max = signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
    return { name, a: `an ${name}`, View, bytes, min, max };
  }
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return { name, a: `an ${name}`, View, bytes, min, max };
}

const INT8 = ints('int8', Int8Array, 1, true);
const UINT8 = ints('uint8', Uint8Array, 1, false);
const INT16 = ints('int16', Int16Array, 2, true);
const UINT16 = ints('uint16', Uint16Array, 2, false);
const INT32 = ints('int32', Int32Array, 4, true);
const UINT32 = ints('uint32', Uint32Array, 4, false);
const INT64 = ints('int64', BigInt64Array, 8, true);
const UINT64 = ints('uint64', BigUint64Array, 8, false);
const FLOAT32 = { name: 'float32', a: 'a float32', View: Float32Array, bytes: 4 };
const FLOAT64 = { name: 'float64', a: 'a float64', View: Float64Array, bytes: 8 };

const TYPES: Record<TypeCode, Omit<TypeInfo, 'code'>> = {
  b: INT8,
  int8: INT8,
  B: UINT8,
  uint8: UINT8,
  h: INT16,
  int16: INT16,
  H: UINT16,
  uint16: UINT16,
  i: INT32,
  int32: INT32,
  I: UINT32,
  uint32: UINT32,
  l: INT64,
  L: UINT64,
  q: INT64,
  Q: UINT64,
  int64: INT64,
  uint64: UINT64,
  f: FLOAT32,
  float32: FLOAT32,
  d: FLOAT64,
  float64: FLOAT64,
};

/** Every accepted spelling, for messages: the typecodes, then the names. */
const VALID = (() => {
  const all = Object.keys(TYPES).map((code) => `'${code}'`);
  const codes = all.filter((code) => code.length === 3);
  const names = all.filter((code) => code.length > 3);
  return `a typecode (${codes.join(', ')}) or a name (${names.join(', ')})`;
})();

/** The type `type` names; a `TypeError` listing the valid ones if it names none. */
export function typeInfo(type: unknown, where: string): TypeInfo {
  if (typeof type !== 'string' || !Object.hasOwn(TYPES, type)) {
    const shown = typeof type === 'string' ? `'${type}'` : String(type);
    throw new TypeError(`${where}: unknown type ${shown}; use ${VALID}`);
  }
  return { code: type as TypeCode, ...TYPES[type as TypeCode] };
}

/**
 * `value` as it is stored in an element of `type`, or a clear error: a `TypeError` for a
 * value of the wrong kind (a fraction for an integer type, a number for a 64-bit one, which
 * takes a `BigInt`), a `RangeError` for an integer outside the type's range — where ctypes
 * would wrap it silently (`.array` still wraps, as typed arrays do).
 */
export function checkElement(type: TypeInfo, value: unknown, where: string): number | bigint {
  const { min, max } = type;
  if (min === undefined || max === undefined) {
    if (typeof value !== 'number') {
      throw new TypeError(`${where}: ${type.a} takes a number, not ${describe(value)}`);
    }
    return value;
  }
  if (typeof min === 'bigint') {
    if (typeof value !== 'bigint') {
      throw new TypeError(
        `${where}: ${type.a} takes a BigInt (such as ${Number.isInteger(value) ? `${value}n` : '0n'}), not ${describe(value)}`,
      );
    }
  } else if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${where}: ${type.a} takes an integer, not ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(
      `${where}: ${describe(value)} is out of range for ${type.a} (${min} to ${max})`,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `the string '${value}'`;
  return value === null ? 'null' : typeof value;
}
