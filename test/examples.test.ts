// Every program in examples/ runs as a reader would run it (`node --import tsx examples/<name>.ts`,
// importing from 'weft', i.e. the built dist/) and prints exactly what the README shows.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const EXPECTED: Record<string, string[]> = {
  lock: [
    'counter: 15',
    'locked afterwards: false',
    'second acquire within 10 ms: false',
    'locked after release: false',
  ],
  rlock: [
    'first: 3',
    'first: 2',
    'first: 1',
    'second: 2',
    'second: 1',
    'outside a task: NoTaskError',
  ],
  semaphore: [
    'downloaded 10 files: file-1 .. file-10',
    'most downloads at once: 3',
    'free slots afterwards: 3',
    'over-release: RuntimeError',
  ],
  event: [
    'event set: false; setting it',
    'worker a starts',
    'worker b starts',
    'worker c starts',
    'wait on a cleared event, 10 ms timeout: false',
  ],
  condition: [
    'A took 1',
    'B took 2',
    'A took 3',
    'B took 4',
    'waitFor with nothing to take, 10 ms timeout: false',
  ],
  barrier: [
    'bob ready',
    'cy ready',
    'ann ready',
    '-- all three ready --',
    'ann arrived last',
    'waiting now: 0, broken: false',
    'lonely wait: BrokenBarrierError',
    'broken: true',
    'after reset: false',
  ],
  'acquire-all': ['meals eaten: 3 3 3 3 3', 'fork 1 after fork 3: LockOrderError'],
  queue: ['all jobs done: A B C D E', 'both workers stopped', 'put after shutdown: QueueShutDown'],
  'priority-queue': [
    '1 fix outage',
    '2 write report',
    '3 lunch',
    'due 1: deploy',
    'due 5: invoice A',
    'due 5: invoice B',
    'due 9: backup',
  ],
  select: [
    'cancellations: cancel 7 (orders still holds 1)',
    'orders: order 1',
    'cancellations: cancel 8',
    'nothing within 10 ms: QueueEmpty',
    'all shut down: QueueShutDown',
  ],
  'timeouts-and-cancellation': [
    'acquire, 10 ms timeout: false',
    'guard: TimeoutError',
    'get: QueueEmpty',
    'abort listeners while waiting: 1',
    'aborted: user pressed stop',
    'abort listeners afterwards: 0',
    'the aborted get took nothing: qsize 1',
    'already aborted: too late',
    'killed task: CancelledError',
    'locked after release: false',
  ],
};

/** Runs one example; one that hangs is killed after the timeout and fails its test. */
function runExample(name: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `examples/${name}.ts`],
      { cwd: ROOT, timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error?.killed) reject(new Error(`examples/${name}.ts did not end within 20 s`));
        else if (error)
          reject(new Error(`examples/${name}.ts failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

describe('examples', { concurrency: 4 }, () => {
  test('every example has its expected output here', () => {
    const files = readdirSync(new URL('../examples/', import.meta.url))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.slice(0, -'.ts'.length));
    assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, lines] of Object.entries(EXPECTED)) {
    test(`examples/${name}.ts prints what the README shows`, async () => {
      const { stdout, stderr } = await runExample(name);
      assert.equal(stderr, '');
      assert.equal(stdout, `${lines.join('\n')}\n`);
    });
  }
});
