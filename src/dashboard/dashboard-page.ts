/**
 * The dashboard's one page: HTML, inline CSS and an inline script that listens to `/events`
 * (server-sent events; the browser reconnects by itself when the stream drops) and renders
 * each snapshot in place. Everything shown is set as text (`textContent`), never as HTML:
 * task names and error messages are user data. The snapshot's scope (a Redis, or this
 * program) shows the columns and sections only it has (`redis-only`, `program-only`).
 * @module
 */
import { createHash } from 'node:crypto';

const SCRIPT = `
'use strict';
const $ = (id) => document.getElementById(id);
const status = $('status');
const shown = { snapshot: null };

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function count(n) {
  return n === null ? '\\u2014' : n.toLocaleString('en-US');
}

function rate(perSecond) {
  if (perSecond === null) return '\\u2014';
  return perSecond >= 10 ? count(Math.round(perSecond)) + '/s' : perSecond.toFixed(2) + '/s';
}

function age(ms) {
  if (ms === null) return '\\u2014';
  if (ms < 1000) return ms + ' ms';
  const s = Math.round(ms / 1000);
  if (s < 120) return s + ' s';
  const m = Math.round(s / 60);
  if (m < 120) return m + ' min';
  return Math.round(m / 60) + ' h';
}

function time(ms) {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

/**
 * Makes the rows of table body \`body\` the \`rows\`: each row has a key and its cells as
 * [field, text, className?] (or a function that builds a cell once). Rows are kept by key and
 * only changed cells are rewritten, so open details and buttons survive an update.
 */
function renderRows(body, rows, keyName) {
  const old = new Map();
  for (const tr of body.querySelectorAll('tr[data-key]')) old.set(tr.dataset.key, tr);
  let previous = null;
  for (const row of rows) {
    let tr = old.get(row.key);
    if (tr) {
      old.delete(row.key);
    } else {
      tr = document.createElement('tr');
      tr.dataset.key = row.key;
      tr.dataset[keyName] = row.key;
      if (row.title) tr.title = row.title;
      for (const [field, value] of row.cells) {
        const td = el('td');
        td.dataset.field = field;
        if (typeof value === 'function') td.append(value());
        tr.append(td);
      }
    }
    row.cells.forEach(([, value, className], i) => {
      if (typeof value === 'function') return;
      const td = tr.children[i];
      const text = String(value);
      if (td.textContent !== text) td.textContent = text;
      const cls = className || '';
      if (td.className !== cls) td.className = cls;
    });
    const at = previous ? previous.nextSibling : body.firstChild;
    if (at !== tr) body.insertBefore(tr, at);
    previous = tr;
  }
  for (const tr of old.values()) tr.remove();
  const empty = body.parentElement.nextElementSibling;
  if (empty && empty.classList.contains('empty')) empty.hidden = rows.length > 0;
}

function queueCells(q) {
  return [
    ['name', q.name, 'name'],
    ['waiting', count(q.waiting), 'num'],
    ['inFlight', count(q.inFlight), 'num'],
    ['done', rate(q.donePerSecond), 'num'],
    ['added', rate(q.addedPerSecond), 'num'],
    ['oldest', age(q.oldestAgeMs), 'num'],
  ];
}

function shutDown(q) {
  return q.shutDown ? ['state', 'shut down (' + q.shutDown + ')', 'warn'] : ['state', 'open', ''];
}

function workerCells(w, scope) {
  const running = w.current.map((t) => shortTask(t.task) + ' (' + age(t.runningMs) + ')').join(', ');
  return [
    ['queue', w.queue, 'name'],
    ['worker', scope === 'program' ? w.id : w.host + ':' + w.pid, 'name'],
    ['mode', w.mode + ' \\u00d7 ' + w.concurrency, ''],
    ['health', w.state !== 'running' && w.health === 'alive' ? w.state : w.health, 'health ' + w.health],
    ['heartbeat', w.heartbeatAgeMs === null ? '\\u2014' : age(w.heartbeatAgeMs) + ' ago', 'num redis-only'],
    ['current', running || 'idle', running ? '' : 'dim'],
    ['doneCount', count(w.done), 'num'],
    ['failedCount', count(w.failed), w.failed > 0 ? 'num bad' : 'num'],
  ];
}

/** \`file:///srv/app/tasks.js#resize\` as \`tasks.js#resize\` (the row's title has it whole). */
function shortTask(task) {
  const hash = task.lastIndexOf('#');
  const module = hash < 0 ? task : task.slice(0, hash);
  return module.slice(module.lastIndexOf('/') + 1) + (hash < 0 ? '' : task.slice(hash));
}

function redriveButton(letter) {
  return () => {
    const button = el('button', 'Re-drive');
    button.type = 'button';
    button.addEventListener('click', () => redrive(letter, button));
    return button;
  };
}

function errorCell(letter) {
  return () => {
    const box = el('details');
    const summary = el('summary');
    summary.append(el('strong', letter.error.name), document.createTextNode(': ' + letter.error.message));
    box.append(summary, el('pre', letter.error.stack || '(no stack)'));
    return box;
  };
}

async function redrive(letter, button) {
  button.disabled = true;
  button.textContent = 'Re-driving\\u2026';
  try {
    const response = await fetch('redrive', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ queue: letter.queue, id: letter.id }),
    });
    const reply = await response.json();
    if (!response.ok) throw new Error(reply.error || response.statusText);
    button.textContent = reply.redriven ? 'Re-driven' : 'Already gone';
  } catch (error) {
    button.disabled = false;
    button.textContent = 'Re-drive';
    showNotice('Re-drive failed: ' + error.message);
  }
}

function showNotice(text) {
  const notice = $('notice');
  notice.textContent = text;
  notice.hidden = false;
}

function render(s) {
  shown.snapshot = s;
  document.body.dataset.scope = s.scope;
  $('source').textContent = s.source;
  $('updated').textContent = time(s.time);
  const problem = $('problem');
  problem.hidden = s.error === null;
  problem.textContent = s.error === null ? '' : 'Cannot read: ' + s.error + ' (showing the last figures seen)';
  renderRows($('queues'), s.queues.map((q) => ({ key: q.name, cells: [...queueCells(q), shutDown(q)] })), 'queue');
  renderRows(
    $('executors'),
    s.executors.map((q) => ({
      key: q.name,
      cells: [
        ...queueCells(q),
        ['failed', rate(q.failedPerSecond), q.failedPerSecond > 0 ? 'num bad program-only' : 'num program-only'],
        ['retrying', count(q.retrying), 'num redis-only'],
        ['dead', count(q.dead), q.dead > 0 ? 'num bad redis-only' : 'num redis-only'],
        ['workers', count(q.workers), 'num'],
        shutDown(q),
      ],
    })),
    'executor',
  );
  renderRows(
    $('workers'),
    s.workers.map((w) => ({ key: w.queue + ' ' + w.id, cells: workerCells(w, s.scope) })),
    'worker',
  );
  renderRows(
    $('dead'),
    s.deadLetters.map((d) => ({
      key: d.queue + ' ' + d.id,
      title: d.task,
      cells: [
        ['queue', d.queue, 'name'],
        ['task', shortTask(d.task), 'name'],
        ['error', errorCell(d)],
        ['attempts', count(d.attempts), 'num'],
        ['time', time(d.time), ''],
        ['redrive', redriveButton(d)],
      ],
    })),
    'letter',
  );
}

function connect() {
  const events = new EventSource('events');
  events.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'live';
  });
  events.addEventListener('snapshot', (event) => {
    status.textContent = 'live';
    status.className = 'live';
    render(JSON.parse(event.data));
  });
  events.addEventListener('error', () => {
    // The browser reconnects by itself (after the retry the server set).
    status.textContent = 'reconnecting\\u2026';
    status.className = 'down';
  });
}

connect();
`;

const STYLE = `
:root { color-scheme: light dark; --bg: #f7f7f8; --fg: #1c1c21; --dim: #6b6b76; --line: #dcdce2;
  --card: #fff; --ok: #1a7f37; --bad: #c62828; --warn: #b26a00; --accent: #3355cc; }
@media (prefers-color-scheme: dark) { :root { --bg: #16161a; --fg: #e6e6ea; --dim: #9a9aa6;
  --line: #2e2e36; --card: #1e1e24; --ok: #4cc36b; --bad: #ff6b6b; --warn: #f0b429; --accent: #8aa2ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; gap: 1rem; align-items: baseline; padding: .8rem 1.2rem; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.1rem; margin: 0; }
header .meta { color: var(--dim); }
#status { margin-left: auto; font-weight: 600; }
#status.live { color: var(--ok); } #status.down { color: var(--bad); }
main { padding: 0 1.2rem 2rem; }
section { margin-top: 1.2rem; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; overflow-x: auto; }
h2 { font-size: .95rem; margin: .2rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .6rem; border-top: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--dim); border-top: none; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { font-family: ui-monospace, monospace; word-break: break-all; }
.dim, .empty { color: var(--dim); }
.bad { color: var(--bad); } .warn { color: var(--warn); }
.health.alive { color: var(--ok); } .health.late, .health.lost { color: var(--bad); } .health.stopped { color: var(--dim); }
pre { white-space: pre-wrap; font-size: 12px; margin: .4rem 0; color: var(--dim); }
summary { cursor: pointer; }
button { font: inherit; padding: .2rem .7rem; border-radius: 4px; border: 1px solid var(--accent); background: none; color: var(--accent); cursor: pointer; }
button:disabled { opacity: .6; cursor: default; }
#problem, #notice { margin: 1rem 0 0; padding: .5rem .8rem; border-radius: 6px; border: 1px solid var(--bad); color: var(--bad); }
body:not([data-scope=redis]) .redis-only, body:not([data-scope=program]) .program-only { display: none; }
`;

const BODY = `
<header><h1>weft dashboard</h1><span class="meta" id="source"></span>
<span class="meta">updated <span id="updated">\u2014</span></span><span id="status" class="down">connecting\u2026</span></header>
<main>
<p id="problem" hidden></p><p id="notice" hidden></p>
<section><h2>Queues</h2><table><thead><tr><th>name</th><th class="num">waiting</th><th class="num">in flight</th>
<th class="num">done (1 min)</th><th class="num">added (1 min)</th><th class="num">oldest item</th><th>state</th></tr></thead>
<tbody id="queues"></tbody></table><p class="empty"><span class="redis-only">No RedisQueue has keys on this Redis.</span>
<span class="program-only">No queue made since the dashboard started is alive.</span></p></section>
<section><h2>Executors<span class="program-only"> and pools</span></h2><table><thead><tr>
<th><span class="redis-only">task queue</span><span class="program-only">name</span></th><th class="num">waiting</th>
<th class="num">running</th><th class="num">done (1 min)</th><th class="num">added (1 min)</th><th class="num">oldest task</th>
<th class="num program-only">failed (1 min)</th><th class="num redis-only">retrying</th><th class="num redis-only">dead</th>
<th class="num">workers</th><th>state</th></tr></thead>
<tbody id="executors"></tbody></table><p class="empty"><span class="redis-only">No RedisExecutor task queue on this Redis.</span>
<span class="program-only">No executor or pool made since the dashboard started is alive.</span></p></section>
<section><h2>Workers</h2><table><thead><tr><th><span class="redis-only">task queue</span><span class="program-only">pool</span></th>
<th>worker</th><th>mode</th><th>health</th><th class="num redis-only">last heartbeat</th><th>running</th>
<th class="num">done</th><th class="num">failed</th></tr></thead>
<tbody id="workers"></tbody></table><p class="empty"><span class="redis-only">No worker is beating.</span>
<span class="program-only">No worker thread or process is running.</span></p></section>
<section class="redis-only"><h2>Dead letters</h2><table><thead><tr><th>task queue</th><th>task</th><th>error</th>
<th class="num">attempts</th><th>failed at</th><th></th></tr></thead>
<tbody id="dead"></tbody></table><p class="empty">No dead letters.</p></section>
</main>`;

/** The page, whole. */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>weft dashboard</title><link rel="icon" href="data:,">
<style>${STYLE}</style></head>
<body>${BODY}
<script>${SCRIPT}</script>
</body></html>
`;

/** The page's Content-Security-Policy: its own inline script and style, and requests to itself only. */
export const DASHBOARD_PAGE_POLICY = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'`,
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
