// serveDashboard and `weft dashboard` over plain HTTP (no browser): the option checks, the
// page and its policy, the JSON snapshot of queues, task queues, workers and dead letters,
// the event stream, the re-drive endpoint and its refusals, and the command line. The page in
// a real browser: dashboard-browser.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RedisQueue, RedisUnavailableError, serveDashboard } from '../src/redis/index.js';
import * as t from './fixtures/redis-tasks.js';
import { childLimit } from './support/child-budget.js';
import {
  EventStream,
  executorIn,
  fetchSnapshot,
  queueIn,
  snapshotWhen,
  workersIn,
} from './support/dashboard-client.js';
import { linesOf, redisExecutorHarness, until } from './support/redis-executors.js';

const FILE = { timeout: 180_000 };
const WEFT = fileURLToPath(new URL('../src/cli/weft.ts', import.meta.url));
const h = redisExecutorHarness();

describe('serveDashboard: options', FILE, () => {
  test('bad options are refused at the call, naming the option', async () => {
    await assert.rejects(serveDashboard(undefined as never), TypeError);
    await assert.rejects(
      serveDashboard({ port: 0, prot: 1 } as never),
      /unknown option "prot"; the options are port, host/,
    );
    for (const port of [-1, 1.5, 65_536, '80'] as never[]) {
      await assert.rejects(serveDashboard({ port }), RangeError);
    }
    await assert.rejects(serveDashboard({ port: 0, interval: 10 }), /interval must be/);
    await assert.rejects(serveDashboard({ port: 0, host: '' }), /host must be/);
  });

  test('an unreachable Redis is a RedisUnavailableError naming the address', async () => {
    await assert.rejects(
      serveDashboard({ port: 0, redis: 'redis://127.0.0.1:1', connectTimeout: 300 }),
      (error: Error) =>
        error instanceof RedisUnavailableError && /127\.0\.0\.1:1/.test(error.message),
    );
  });
});

describe('serveDashboard: what it serves', FILE, () => {
  test('the page is one self-contained document with a strict policy; unknown paths are 404', async () => {
    await using dashboard = await serveDashboard({ port: 0, redis: h.url });
    assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(dashboard.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const policy = page.headers.get('content-security-policy') ?? '';
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'sha256-/);
    const html = await page.text();
    assert.match(html, /<script>[\s\S]*EventSource\('events'\)/);
    assert.doesNotMatch(
      html,
      /<script src|<link rel="stylesheet"/,
      'nothing to fetch besides itself',
    );
    assert.equal((await fetch(new URL('nope', dashboard.url))).status, 404);
    assert.equal((await fetch(new URL('snapshot', dashboard.url), { method: 'POST' })).status, 405);
  });

  test('a queue: waiting and in flight, the oldest item, then the rate once items are done', async () => {
    const name = `jobs-${h.queue()}`;
    await using queue = new RedisQueue<number>(name, { redis: h.url });
    await using dashboard = await serveDashboard({ port: 0, redis: h.url, interval: 100 });
    for (let i = 0; i < 5; i++) await queue.put(i);
    await queue.get();
    const first = await snapshotWhen(
      dashboard.url,
      (s) => queueIn(s, name) !== undefined,
      'the queue shows',
    );
    assert.equal(first.error, null);
    assert.match(first.source, /^redis:\/\/127\.0\.0\.1:\d+$/);
    const figures = queueIn(first, name)!;
    assert.equal(figures.waiting, 4);
    assert.equal(figures.inFlight, 1);
    assert.equal(figures.shutDown, null);
    assert.ok(figures.oldestAgeMs !== null && figures.oldestAgeMs >= 0);
    await queue.taskDone();
    for (let i = 0; i < 4; i++) {
      await queue.get();
      await queue.taskDone();
    }
    const drained = await snapshotWhen(
      dashboard.url,
      (s) => (queueIn(s, name)?.donePerSecond ?? 0) > 0 && queueIn(s, name)?.waiting === 0,
      'the rate counts the items done',
    );
    assert.equal(queueIn(drained, name)!.inFlight, 0);
    assert.equal(queueIn(drained, name)!.oldestAgeMs, null, 'nothing left, no oldest item');
    await queue.shutdown();
    await snapshotWhen(
      dashboard.url,
      (s) => queueIn(s, name)?.shutDown === 'graceful',
      'shut down shows',
    );
  });

  test('the event stream sends a snapshot at once, then each change; close() ends it', async () => {
    const name = `events-${h.queue()}`;
    await using queue = new RedisQueue<string>(name, { redis: h.url });
    const dashboard = await serveDashboard({ port: 0, redis: h.url, interval: 100 });
    try {
      await using events = new EventStream(dashboard.url);
      const first = await events.next();
      assert.ok(first !== undefined && Array.isArray(first.queues));
      assert.equal(events.retry, 1000, 'the browser is told to reconnect after a second');
      await queue.put('a');
      await queue.put('b');
      await events.until((s) => queueIn(s, name)?.waiting === 2);
      await dashboard.close();
      let next = await events.next();
      while (next !== undefined) next = await events.next(); // events already on the way
      assert.equal(next, undefined, 'the stream ended');
    } finally {
      await dashboard.close();
    }
  });

  test('an executor: its workers with their counts and a dead letter that re-drives to completion', async () => {
    const name = h.queue();
    const worker = await h.worker(name);
    const executor = h.executor(name);
    await using dashboard = await serveDashboard({ port: 0, redis: h.url, interval: 100 });
    assert.equal(await executor.submit(t.add, 1, 2), 3);
    const path = h.file('flaky');
    const failing = executor.submitWith({ retries: 1, backoff: 0 }, t.flaky, path, 3);
    await assert.rejects(failing.result(), /try 2 fails/);
    const dead = await snapshotWhen(
      dashboard.url,
      (s) => s.deadLetters.some((d) => d.queue === name),
      'the dead letter shows',
    );
    const letter = dead.deadLetters.find((d) => d.queue === name)!;
    assert.match(letter.task, /redis-tasks\.ts#flaky$/);
    assert.equal(letter.error.name, 'Error');
    assert.equal(letter.error.message, 'try 2 fails');
    assert.match(letter.error.stack, /try 2 fails[\s\S]*redis-tasks/);
    assert.equal(letter.attempts, 2);
    assert.equal(letter.worker, worker.id);
    const figures = executorIn(dead, name)!;
    assert.equal(figures.dead, 1);
    assert.equal(figures.workers, 1);
    const beats = await snapshotWhen(
      dashboard.url,
      (s) => workersIn(s, name)[0]?.failed === 2,
      'the heartbeat counts the failures',
    );
    const [shown] = workersIn(beats, name);
    assert.equal(shown!.id, worker.id);
    assert.equal(shown!.health, 'alive');
    assert.equal(shown!.pid, process.pid);
    assert.equal(shown!.done, 1, 'one attempt succeeded (the two failures count apart)');

    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(new URL('redrive', dashboard.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    assert.equal(
      (await post({ queue: name, id: letter.id }, { origin: 'http://evil.example' })).status,
      403,
    );
    const plain = await fetch(new URL('redrive', dashboard.url), { method: 'POST', body: '{}' });
    assert.equal(plain.status, 415);
    assert.equal((await post({ queue: name })).status, 400);
    assert.equal((await post({ queue: 'a{b}', id: letter.id })).status, 400);
    assert.equal(linesOf(path).length, 2, 'no refused request re-drove it');

    const answer = await post({ queue: name, id: letter.id });
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { redriven: true });
    await until(() => linesOf(path).length === 3, 'the re-driven task runs again');
    const after = await snapshotWhen(
      dashboard.url,
      (s) => executorIn(s, name)?.dead === 0 && workersIn(s, name)[0]?.done === 2,
      'the task completes and the dead letter is gone',
    );
    assert.equal(after.deadLetters.filter((d) => d.queue === name).length, 0);
    assert.deepEqual(await (await post({ queue: name, id: letter.id })).json(), {
      redriven: false,
    });

    await worker.close();
    const gone = await snapshotWhen(
      dashboard.url,
      (s) => workersIn(s, name)[0]?.health === 'stopped',
      'a closed worker shows as stopped',
    );
    assert.equal(executorIn(gone, name)!.workers, 0);
  });
});

describe('weft dashboard', FILE, () => {
  const run = async (args: string[], until?: RegExp) => {
    // Measured before the start: a child that ended during the measuring would go unheard.
    const limitMs = await childLimit(30_000);
    const child = spawn(process.execPath, ['--import', 'tsx', WEFT, 'dashboard', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (until?.test(stdout)) child.emit('seen', stdout);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const exited = once(child, 'exit').finally(() => clearTimeout(limit));
    return { child, exited, output: () => ({ stdout, stderr }) };
  };

  test('--help, and usage mistakes exit 2 saying what to do', async () => {
    const help = await run(['--help']);
    assert.deepEqual(await help.exited, [0, null]);
    assert.match(help.output().stdout, /--redis URL[\s\S]*--port P[\s\S]*--host H/);
    for (const [args, message] of [
      [['--port', 'x'], /--port must be a whole number/],
      [['--port', '70000'], /--port must be at most 65535/],
      [['--redis', 'localhost'], /--redis must be a redis:\/\//],
      [['--bogus'], /unknown option --bogus/],
      [['extra'], /unexpected argument 'extra'/],
    ] as const) {
      const mistake = await run([...args]);
      assert.deepEqual(await mistake.exited, [2, null], args.join(' '));
      assert.match(mistake.output().stderr, message);
    }
  });

  test('serves the dashboard until SIGTERM; an unreachable Redis exits 1 naming it', async () => {
    const served = await run(['--redis', h.url, '--port', '0'], /http:\/\/\S+\//);
    const [printed] = (await Promise.race([
      once(served.child, 'seen'),
      served.exited.then(() => {
        throw new Error(`weft dashboard exited: ${served.output().stderr}`);
      }),
    ])) as [string];
    const url = /http:\/\/\S+\//.exec(printed)![0];
    const snapshot = await fetchSnapshot(url);
    assert.equal(snapshot.error, null);
    served.child.kill('SIGTERM');
    assert.deepEqual(await served.exited, [0, null]);

    const unreachable = await run(['--redis', 'redis://127.0.0.1:1', '--port', '0']);
    assert.deepEqual(await unreachable.exited, [1, null]);
    assert.match(unreachable.output().stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    assert.doesNotMatch(unreachable.output().stderr, /\n\s+at /, 'no stack trace');
  });
});
