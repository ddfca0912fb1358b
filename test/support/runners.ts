// The runners the runner contract runs over (test/contracts/runner-contract.ts), each with
// what it does differently, and the cleanup every runner test file needs.
import { Process, type ProcessOptions, Thread, type ThreadOptions } from '../../src/index.js';
import * as targets from '../fixtures/runner-targets.js';
import { childLimit } from './child-budget.js';

/** What the contract drives of a Thread or a Process. */
export interface RunnerLike {
  name: string;
  daemon: boolean;
  readonly ident: number | undefined;
  readonly exitCode: number | null;
  readonly result: unknown;
  readonly exception: unknown;
  start(): void;
  join(opts?: { timeout?: number; signal?: AbortSignal }): Promise<boolean>;
  isAlive(): boolean;
  terminate(): Promise<void>;
}

/** The options both take. */
export type RunnerOptions = ThreadOptions & ProcessOptions;

/** One runner implementation the contract runs against. */
export interface RunnerImpl {
  /** The class, as the package exports it. */
  name: 'Thread' | 'Process';
  kind: 'thread' | 'process';
  create(target: unknown, options?: RunnerOptions): RunnerLike;
  /** The portable targets the runners run. */
  targets: typeof targets;
  /** The exit code after `terminate()`. */
  terminatedExitCode: number;
  /** Matches the default name of a runner of `target`, its number as the first group. */
  defaultName(target: string): RegExp;
  /** The warning an exception nobody read raises: its code and name. */
  unobserved: { code: string; name: string };
  /** `move(buffer)` detaches the sender's buffer (else the buffer is copied). */
  movesBuffers: boolean;
}

export const threadRunner: RunnerImpl = {
  name: 'Thread',
  kind: 'thread',
  create: (target, options) => new Thread(target as never, options),
  targets,
  // A worker thread stopped by terminate() ends with code 1.
  terminatedExitCode: 1,
  defaultName: (target) => new RegExp(`^Thread-(\\d+) \\(${target}\\)$`),
  unobserved: { code: 'WEFT_UNOBSERVED_THREAD_ERROR', name: 'UnobservedThreadError' },
  movesBuffers: true,
};

export const processRunner: RunnerImpl = {
  name: 'Process',
  kind: 'process',
  create: (target, options) => new Process(target as never, options),
  targets,
  // terminate() sends SIGTERM: minus its number, as Python's exitcode says.
  terminatedExitCode: -15,
  defaultName: () => /^Process-(\d+)$/,
  unobserved: { code: 'WEFT_UNOBSERVED_PROCESS_ERROR', name: 'UnobservedProcessError' },
  // An IPC message carries no transfer list: a move()d buffer is serialized, the sender keeps it.
  movesBuffers: false,
};

/**
 * Every runner a suite starts, ended after it even when a test failed half-way: call inside
 * `describe` and pass `end` to `after`.
 */
export function runnerTracker() {
  const started: RunnerLike[] = [];
  return {
    /** Starts `runner` and remembers it. */
    started<R extends RunnerLike>(runner: R): R {
      started.push(runner);
      runner.start();
      return runner;
    },
    /** Starts `runner` and waits for it to end (a guard against a hang: `childLimit(60_000)`). */
    async run<R extends RunnerLike>(runner: R): Promise<R> {
      started.push(runner);
      runner.start();
      const limit = await childLimit(60_000);
      if (!(await runner.join({ timeout: limit }))) {
        throw new Error(`${runner.name} did not end in ${limit} ms`);
      }
      return runner;
    },
    /** Remembers a runner started elsewhere. */
    track<R extends RunnerLike>(runner: R): R {
      started.push(runner);
      return runner;
    },
    async end(): Promise<void> {
      await Promise.all(
        started.map((runner) => (runner.isAlive() ? runner.terminate() : undefined)),
      );
      started.length = 0;
    },
  };
}
