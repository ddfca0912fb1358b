/**
 * Key names of the Redis scope. Every key of one object shares a hash tag (`{kind:name}`), so
 * a script may touch all of them at once on a Redis Cluster too, and `weft:` marks them as
 * weft's (the dashboard finds objects by that prefix).
 * @module
 */

/** The longest name an object may have, in characters. */
const MAX_NAME_LENGTH = 200;

/**
 * The key prefix of the object `name` of `kind` (`weft:{queue:orders}`); append `:part` for
 * each key. Throws a TypeError naming the problem when `name` is not a usable name.
 */
export function keyspace(kind: string, name: unknown, owner: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`${owner}: the name must be a non-empty string, got ${describe(name)}`);
  }
  if (name.length > MAX_NAME_LENGTH || /[{}\s]/.test(name)) {
    throw new TypeError(
      `${owner}: the name ${JSON.stringify(name.slice(0, 40))} may not hold braces or white space ` +
        `and may be at most ${MAX_NAME_LENGTH} characters; use letters, digits and - _ . : /`,
    );
  }
  return `weft:{${kind}:${name}}`;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? 'an empty string' : `${typeof value} ${String(value)}`;
}
