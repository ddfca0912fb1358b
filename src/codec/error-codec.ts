/**
 * Errors that cross a thread or process boundary keep their class name, message, stack,
 * `cause` and own fields. Structured clone alone would drop the class name of user
 * errors and their fields, so they travel as plain records. An error of a portable class
 * comes back as that class when the receiver has it loaded (`whenDecodable` loads it).
 * @module
 */
import { describe } from '../core/options.js';
import * as weftErrors from '../errors.js';
import {
  type ClassRef,
  errorClassOf,
  findClass,
  rebuildError,
} from '../portable/portable-class.js';
import { checkCrossable } from './crossable.js';

/** An error as it crosses a boundary. */
export interface EncodedError {
  readonly $weftError: true;
  name: string;
  message: string;
  stack: string | undefined;
  cause?: unknown;
  /** Own enumerable fields (`code`, `errno`, user fields), when they can be cloned. */
  fields: Record<string, unknown>;
  /** The members of an AggregateError. */
  errors?: unknown[];
  /** The error's portable class, which rebuilds it. */
  class?: ClassRef;
  /** For a portable class that gives its own state (`[portableState]()`): that state. */
  state?: unknown;
}

/**
 * Turns a thrown value into something `postMessage`/V8 serialization can carry. A thrown
 * value that cannot cross at all (a Symbol, a function, an object holding one) becomes a
 * TypeError saying what was thrown, so the other side always learns that the call failed.
 */
export function encodeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) {
    try {
      checkCrossable(error, 'the call', 'what it threw', 'process');
      return error;
    } catch {
      return encodeError(
        new TypeError(
          `the call threw ${typeof error === 'symbol' ? String(error) : describe(error)}, which cannot cross back from another thread or process; throw an Error instead`,
        ),
        depth,
      );
    }
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'cause' || key === 'errors') continue;
    if (isCloneable(value)) fields[key] = value;
  }
  const encoded: EncodedError = {
    $weftError: true,
    name: error.name,
    message: error.message,
    stack: error.stack,
    fields,
  };
  const portableClass = errorClassOf(error);
  if (portableClass !== undefined) {
    encoded.class = portableClass.class;
    if ('state' in portableClass && isCloneable(portableClass.state))
      encoded.state = portableClass.state;
  }
  if ('cause' in error && depth < 8) encoded.cause = encodeError(error.cause, depth + 1);
  if (error instanceof AggregateError && depth < 8) {
    encoded.errors = error.errors.map((member) => encodeError(member, depth + 1));
  }
  return encoded;
}

const builtins: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * Rebuilds an error encoded by `encodeError`: weft's own classes, the built-in ones and
 * portable classes loaded here come back as themselves; other classes as an `Error` whose
 * `name` is the class name.
 */
export function decodeError(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || (value as EncodedError).$weftError !== true) {
    return value;
  }
  const encoded = value as EncodedError;
  const cls = encoded.class === undefined ? undefined : findClass(encoded.class);
  if (cls !== undefined) {
    const state: Record<string, unknown> = {
      ...encoded.fields,
      message: encoded.message,
      stack: encoded.stack,
    };
    if ('cause' in encoded) state.cause = decodeError(encoded.cause);
    return rebuildError(cls, state, 'state' in encoded ? { state: encoded.state } : undefined);
  }
  const Known =
    builtins[encoded.name] ??
    ((weftErrors as Record<string, unknown>)[encoded.name] as ErrorConstructor | undefined);
  const error: Error =
    encoded.errors !== undefined
      ? new AggregateError(encoded.errors.map(decodeError), encoded.message)
      : new (Known ?? Error)(encoded.message);
  if (error.name !== encoded.name) {
    Object.defineProperty(error, 'name', {
      value: encoded.name,
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(error, 'stack', {
    value: encoded.stack,
    writable: true,
    configurable: true,
  });
  if ('cause' in encoded) {
    Object.defineProperty(error, 'cause', {
      value: decodeError(encoded.cause),
      writable: true,
      configurable: true,
    });
  }
  Object.assign(error, encoded.fields);
  return error;
}

function isCloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
