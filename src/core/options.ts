/**
 * The `{ timeout, signal }` options every blocking call takes, and their validation.
 * @module
 */

/** Options of every blocking call: a timeout in milliseconds and/or an `AbortSignal`. */
export interface WaitOptions {
  /** Give up after this many milliseconds (`0` means do not wait at all; `Infinity` or absent means wait forever). */
  timeout?: number | undefined;
  /** Give up when this signal aborts; the call rejects with the signal's reason and leaves no trace. */
  signal?: AbortSignal | undefined;
}

/**
 * Checks `opts` at the call that received it and returns the error to reject with, or
 * `undefined` when they are fine. Returning (not throwing) lets promise-returning methods
 * reject instead of throwing synchronously.
 */
export function invalidWaitOptions(opts: unknown, where: string): Error | undefined {
  if (opts === undefined) return undefined;
  if (opts === null || typeof opts !== 'object') {
    return new TypeError(
      `${where}: options must be an object like { timeout, signal }, got ${describe(opts)}`,
    );
  }
  const { timeout, signal } = opts as WaitOptions;
  if (timeout !== undefined) {
    const err = invalidTimeout(timeout, where);
    if (err) return err;
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    return new TypeError(
      `${where}: options.signal must be an AbortSignal, got ${describe(signal)}`,
    );
  }
  return undefined;
}

/**
 * The fast-path guard of blocking calls: a rejected promise when `opts` are invalid or
 * their signal is already aborted (nothing is queued then), else `undefined`.
 */
export function refuseWait(opts: WaitOptions, where: string): Promise<never> | undefined {
  const err = invalidWaitOptions(opts, where);
  if (err) return Promise.reject(err);
  if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
  return undefined;
}

/** Validates one timeout value (milliseconds, `>= 0`, `Infinity` allowed). */
export function invalidTimeout(timeout: unknown, where: string): Error | undefined {
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    return new TypeError(
      `${where}: timeout must be a number of milliseconds, got ${describe(timeout)}`,
    );
  }
  if (timeout < 0) {
    return new RangeError(
      `${where}: timeout must be >= 0 milliseconds, got ${timeout}; use 0 to try without waiting`,
    );
  }
  return undefined;
}

/** Short description of a bad value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Throws a TypeError naming the first key of `options` that is not one of `known`: a
 * misspelt option (`maxworkers`) is refused at the call rather than silently ignored.
 */
export function refuseUnknownOptions(
  options: object,
  known: readonly string[],
  where: string,
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${where}: unknown option ${JSON.stringify(key)}; the options are ${known.join(', ')}`,
      );
    }
  }
}

/**
 * The `name` option of a pool or queue (what the local dashboard shows), or `null` when
 * none was given; a TypeError at `where` for anything but a non-empty string.
 */
export function shownName(name: unknown, where: string): string | null {
  if (name === undefined) return null;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(
      `${where}: name must be a non-empty string (what the dashboard shows), got ${describe(name)}`,
    );
  }
  return name;
}
