/**
 * The one error a `weft` command reports without a stack trace: a mistake in the command
 * line. weft.ts prints it as `<command>: <message>` and the hint, and exits with code 2.
 * @module
 */

/** A mistake in the command line: reported without a stack trace, exit code 2. */
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
