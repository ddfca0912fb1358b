/**
 * A mistake in the command line: reported without a stack trace, what was wrong and what to
 * do, with exit code 2.
 * @module
 */

/** A mistake in the command line. */
export class UsageError extends Error {
  constructor(
    /** The command that was given, e.g. `weft demo dishes`. */
    readonly command: string,
    message: string,
    /** What to do about it. */
    readonly hint: string,
  ) {
    super(message);
  }
}
