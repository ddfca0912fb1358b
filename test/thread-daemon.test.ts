// Daemon and non-daemon threads at process exit, in child processes (after CPython's
// test_join_nondaemon_on_shutdown, test_4_daemon_threads and test_print_exception): a daemon
// thread never keeps the process alive; a non-daemon thread does until it ends, also when it
// was started inside a daemon thread; an exception nobody read is printed, and the exit code
// stays 0.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { childLimit } from './support/child-budget.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEFT = new URL('../src/index.ts', import.meta.url).href;
const TARGETS = new URL('./fixtures/thread-targets.ts', import.meta.url).href;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `body` as an ES module under tsx in a new process; fails if it runs past its limit. */
async function runScript(body: string): Promise<Outcome> {
  const script = `import { Thread } from ${JSON.stringify(WEFT)};\nimport * as targets from ${JSON.stringify(TARGETS)};\n${body}`;
  const limit = await childLimit(20_000);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, timeout: limit },
      (error, stdout, stderr) => {
        if (error?.killed)
          reject(new Error(`the child process did not end within ${limit} ms\n${stderr}`));
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

describe('Thread: targets in the entry module', () => {
  test('an entry module can run its own export in a thread and await it at top level', async () => {
    const limit = await childLimit(20_000);
    const { code, stdout, stderr } = await new Promise<Outcome>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'test/fixtures/thread-entry-module.ts'],
        { cwd: ROOT, timeout: limit },
        (error, stdout, stderr) => {
          if (error?.killed)
            reject(new Error(`the entry module did not end within ${limit} ms\n${stderr}`));
          else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
        },
      );
    });
    assert.equal(stderr, '');
    assert.equal(stdout, 'HELLO!\n');
    assert.equal(code, 0);
  });
});

describe('Thread: daemon threads and process exit', { concurrency: 4 }, () => {
  test('a daemon thread that never ends does not keep the process alive', async () => {
    const { code, stdout, stderr } = await runScript(`
      const thread = new Thread(targets.neverEnds, { daemon: true });
      thread.start();
      // Make sure it runs before the main thread ends.
      const flags = targets.gate();
      const running = new Thread(targets.waitForRelease, { args: [flags], daemon: true });
      running.start();
      await targets.whenRunning(flags);
      console.log('main done', thread.isAlive(), running.isAlive());
    `);
    assert.equal(stderr, '');
    assert.equal(stdout, 'main done true true\n');
    assert.equal(code, 0);
  });

  test('a non-daemon thread keeps the process alive until it ends', async () => {
    const { code, stdout, stderr } = await runScript(`
      new Thread(targets.sleepThenLog, { args: [50, 'thread done'] }).start();
      console.log('main done');
    `);
    assert.equal(stderr, '');
    assert.equal(stdout, 'main done\nthread done\n');
    assert.equal(code, 0);
  });

  test('a non-daemon thread started inside a daemon thread keeps the process alive too', async () => {
    const { code, stdout, stderr } = await runScript(`
      const flags = targets.gate();
      new Thread(targets.startLoggerAndReturn, { args: [flags, 'inner done'], daemon: true }).start();
      await targets.whenRunning(flags); // the inner thread has been started
      console.log('main done');
    `);
    assert.equal(stderr, '');
    assert.equal(stdout, 'main done\ninner done\n');
    assert.equal(code, 0);
  });

  test('...also when the main thread could not hear about the inner thread before ending', async () => {
    // The main thread blocks until the inner thread has been started, then ends at once: the
    // message saying "keep me alive" is still unread; the shared thread table tells.
    const { code, stdout, stderr } = await runScript(`
      const flags = targets.gate();
      const target = { module: ${JSON.stringify(TARGETS)}, name: 'startLoggerAndReturn' };
      new Thread(target, { args: [flags, 'inner done'], daemon: true }).start();
      Atomics.wait(flags, 0, 0, 10_000);
      console.log('main done');
    `);
    assert.equal(stderr, '');
    assert.equal(stdout, 'main done\ninner done\n');
    assert.equal(code, 0);
  });

  test('a pending join() on a daemon thread keeps the process alive until it returns', async () => {
    const { code, stdout, stderr } = await runScript(`
      const thread = new Thread(targets.sleepThenLog, { args: [50, 'thread done'], daemon: true });
      thread.start();
      console.log('joined', await thread.join());
    `);
    assert.equal(stderr, '');
    assert.equal(stdout, 'thread done\njoined true\n');
    assert.equal(code, 0);
  });

  test('an exception nobody read is printed as a warning; the process still exits with 0', async () => {
    const { code, stdout, stderr } = await runScript(`
      new Thread(targets.failDiskFull, { name: 'failing' }).start();
    `);
    assert.equal(stdout, '');
    assert.match(stderr, /UnobservedThreadError: Exception in thread failing/);
    assert.match(stderr, /DiskFull: no space left on device/);
    assert.equal(code, 0);
  });
});
