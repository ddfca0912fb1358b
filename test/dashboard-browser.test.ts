// The dashboard in a real browser: headless Chromium (Debian's `chromium` package, or
// CHROMIUM_PATH) driven by playwright-core. The page loads with no console errors, shows a
// queue filling and draining live, escapes what users named, shows a dead letter whose
// re-drive button sends the task back to complete, and reconnects when its stream drops.
// The page of this program (serveDashboard from 'weft') shows its queue and pool, without
// the columns and the section only a Redis has.
// WEFT_DASHBOARD_SCREENSHOT=1 saves docs/dashboard.png. Without Chromium the tests skip,
// saying how to install it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import {
  Queue,
  serveDashboard as serveProgramDashboard,
  ThreadPoolExecutor,
} from '../src/index.js';
import { RedisExecutor, RedisQueue, RedisWorker, serveDashboard } from '../src/redis/index.js';
import { square } from './fixtures/executor-tasks.js';
import * as t from './fixtures/redis-tasks.js';
import { launchChromium, skipUnlessChromium } from './support/chromium.js';
import { linesOf, redisExecutorHarness, TASKS_PATH, until } from './support/redis-executors.js';
import { startRedis } from './support/redis-server.js';

const skip = skipUnlessChromium();
if (skip) process.stdout.write(`# dashboard-browser: skipped — ${skip}\n`);
const FILE = { timeout: 240_000, skip };
/** How long the page may take to show a change (the dashboard looks every 200 ms here). */
const SHOWN = { timeout: 30_000 };
const SCREENSHOT = fileURLToPath(new URL('../docs/dashboard.png', import.meta.url));
const h = redisExecutorHarness();
let browser: Browser | undefined;

before(async () => {
  if (!skip) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** A page on `url` that records every console error and uncaught error. */
async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
  await page.goto(url);
  return { page, errors };
}

/** The little of the page's DOM the waits below use (this project type-checks without the DOM's types). */
interface PageElement {
  readonly dataset: Record<string, string | undefined>;
  readonly textContent: string | null;
  querySelector(selector: string): PageElement | null;
}
declare const document: { querySelectorAll(selector: string): Iterable<PageElement> };

/** Waits until the cell `field` of the row `data-kind=key` reads `text`. */
async function cellReads(page: Page, kind: string, key: string, field: string, text: string) {
  await page.waitForFunction(
    ({ kind, key, field, text }) => {
      for (const row of document.querySelectorAll(`tr[data-${kind}]`)) {
        if (row.dataset[kind] !== key) continue;
        return row.querySelector(`[data-field="${field}"]`)?.textContent === text;
      }
      return false;
    },
    { kind, key, field, text },
    SHOWN,
  );
}

describe('dashboard in Chromium', FILE, () => {
  test('a queue fills and drains live, with no console error and names shown as text', async () => {
    const name = `orders<img_src=x_onerror=alert(1)>-${h.queue()}`;
    await using queue = new RedisQueue<number>(name, { redis: h.url });
    await using dashboard = await serveDashboard({ port: 0, redis: h.url, interval: 200 });
    const { page, errors } = await openPage(dashboard.url);
    try {
      await page.waitForSelector('#status.live', SHOWN);
      for (let i = 0; i < 3; i++) await queue.put(i);
      await cellReads(page, 'queue', name, 'waiting', '3');
      for (let i = 3; i < 8; i++) await queue.put(i);
      await cellReads(page, 'queue', name, 'waiting', '8');
      await queue.get();
      await queue.get();
      await cellReads(page, 'queue', name, 'inFlight', '2');
      await cellReads(page, 'queue', name, 'waiting', '6');
      for (let i = 0; i < 8; i++) {
        if (i >= 2) await queue.get();
        await queue.taskDone();
      }
      await cellReads(page, 'queue', name, 'waiting', '0');
      await cellReads(page, 'queue', name, 'inFlight', '0');
      await cellReads(page, 'queue', name, 'oldest', '\u2014');
      const rate = await page
        .locator(`tr[data-queue] [data-field="done"]`)
        .filter({ hasText: '/s' })
        .first()
        .textContent();
      assert.match(rate ?? '', /^\d[\d.,]*\/s$/);
      assert.equal(await page.locator('img').count(), 0, 'the name was not read as HTML');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  test('a dead letter shows with its error; the re-drive button sends it back and it completes', async () => {
    const name = h.queue();
    const worker = await h.worker(name);
    const executor = h.executor(name);
    const path = h.file('flaky');
    await using dashboard = await serveDashboard({ port: 0, redis: h.url, interval: 200 });
    const { page, errors } = await openPage(dashboard.url);
    try {
      assert.equal(await executor.submit(t.add, 2, 2), 4);
      const failing = executor.submitWith({ retries: 1, backoff: 0 }, t.flaky, path, 3);
      await assert.rejects(failing.result(), /try 2 fails/);
      await cellReads(page, 'executor', name, 'dead', '1');
      await cellReads(page, 'worker', `${name} ${worker.id}`, 'failedCount', '2');
      await cellReads(page, 'worker', `${name} ${worker.id}`, 'health', 'alive');
      const letter = page.locator('#dead tr[data-letter]').filter({ hasText: name });
      await letter.waitFor(SHOWN);
      assert.match((await letter.locator('[data-field="task"]').textContent()) ?? '', /#flaky$/);
      assert.equal(await letter.locator('summary').textContent(), 'Error: try 2 fails');
      await letter.locator('summary').click();
      assert.match((await letter.locator('pre').textContent()) ?? '', /redis-tasks/);
      await letter.getByRole('button', { name: 'Re-drive' }).click();
      await until(() => linesOf(path).length === 3, 'the re-driven task runs again and succeeds');
      await cellReads(page, 'executor', name, 'dead', '0');
      await letter.waitFor({ state: 'detached', ...SHOWN });
      await cellReads(page, 'worker', `${name} ${worker.id}`, 'doneCount', '2');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  test('the page reconnects when its stream drops (the dashboard restarted on its port)', async () => {
    const name = `restart-${h.queue()}`;
    await using queue = new RedisQueue<string>(name, { redis: h.url });
    const first = await serveDashboard({ port: 0, redis: h.url, interval: 200 });
    const port = Number(new URL(first.url).port);
    const { page, errors } = await openPage(first.url);
    let second: Awaited<ReturnType<typeof serveDashboard>> | undefined;
    try {
      await page.waitForSelector('#status.live', SHOWN);
      await first.close();
      await page.waitForSelector('#status.down', SHOWN);
      // Up again before the browser's retry (a second): its reconnect finds the new server.
      second = await serveDashboard({ port, redis: h.url, interval: 200 });
      await queue.put('after the restart');
      await cellReads(page, 'queue', name, 'waiting', '1');
      await page.waitForSelector('#status.live', SHOWN);
      // On a busy machine a retry may find the port closed still: Chromium reports that
      // refusal itself; the page's own code raised nothing.
      const pageErrors = errors.filter((text) => !/net::ERR_CONNECTION_REFUSED/.test(text));
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
      await first.close();
      await second?.close();
    }
  });

  test("this program's page: its queue and pool live, no Redis-only column or section", async () => {
    await using dashboard = await serveProgramDashboard({ port: 0, interval: 200 });
    const queue = new Queue<number>(5);
    const name = 'Queue 1 (maxsize 5)';
    await using executor = new ThreadPoolExecutor({ maxWorkers: 1, name: 'squares' });
    const { page, errors } = await openPage(dashboard.url);
    try {
      await page.waitForSelector('#status.live', SHOWN);
      assert.equal(
        await page.locator('#source').textContent(),
        `this program (pid ${process.pid})`,
      );
      for (let i = 0; i < 3; i++) await queue.put(i);
      await cellReads(page, 'queue', name, 'waiting', '3');
      await queue.get();
      await cellReads(page, 'queue', name, 'inFlight', '1');
      await cellReads(page, 'queue', name, 'oldest', '\u2014');
      assert.equal(await executor.submit(square, 3), 9);
      await cellReads(page, 'executor', 'squares', 'workers', '1');
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('#workers tr[data-worker]')].some(
            (row) =>
              /^squares thread \d+$/.test(row.dataset.worker ?? '') &&
              row.querySelector('[data-field="doneCount"]')?.textContent === '1',
          ),
        undefined,
        SHOWN,
      );
      const visible = (selector: string) => page.locator(selector).first().isVisible();
      assert.equal(await visible('#dead'), false, 'no dead-letter section');
      assert.equal(await visible('th:has-text("retrying")'), false);
      assert.equal(await visible('#executors [data-field="dead"]'), false);
      assert.equal(await visible('th:has-text("failed (1 min)")'), true);
      assert.equal(await visible('th:has-text("last heartbeat")'), false);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  test('docs/dashboard.png: a queue under way, two workers, a running task and a dead letter', {
    skip:
      process.env.WEFT_DASHBOARD_SCREENSHOT !== '1' &&
      'set WEFT_DASHBOARD_SCREENSHOT=1 to take docs/dashboard.png',
  }, async () => {
    // A Redis of its own, so the other tests' queues stay out of the picture.
    const server = await startRedis();
    const redis = server.url;
    const thumbnails = new RedisQueue<number>('thumbnails', { redis });
    const workers = [1, 2].map(
      (n) =>
        new RedisWorker({
          queue: 'reports',
          redis,
          modules: [TASKS_PATH],
          concurrency: n,
          heartbeatInterval: 300,
        }),
    );
    const executor = new RedisExecutor({ queue: 'reports', redis });
    const dashboard = await serveDashboard({ port: 0, redis, interval: 200 });
    try {
      const { page, errors } = await openPage(dashboard.url);
      for (const worker of workers) await worker.start();
      for (let i = 0; i < 40; i++) await thumbnails.put(i);
      for (let i = 0; i < 12; i++) {
        await thumbnails.get();
        await thumbnails.taskDone();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await thumbnails.get();
      await thumbnails.get();
      await Promise.all([1, 2, 3].map((n) => executor.submit(t.add, n, n)));
      const path = h.file('screenshot');
      await assert.rejects(
        executor.submitWith({ retries: 1, backoff: 0 }, t.flaky, path, 9).result(),
      );
      const running = executor.submit(t.slow, h.file('slow'), 60_000);
      await cellReads(page, 'executor', 'reports', 'dead', '1');
      await cellReads(page, 'executor', 'reports', 'inFlight', '1');
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('#workers [data-field="current"]')].some((cell) =>
            cell.textContent?.includes('#slow'),
          ),
        undefined,
        SHOWN,
      );
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      assert.deepEqual(errors, []);
      running.cancel();
      await page.close();
    } finally {
      await dashboard.close();
      await executor.shutdown({ cancelFutures: true });
      await Promise.all(workers.map((worker) => worker.close({ timeout: 0 })));
      await thumbnails.close();
      await server.stop();
    }
  });
});
