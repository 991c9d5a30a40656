/**
 * The dashboard: one self-contained page (inline style and script, nothing fetched from elsewhere), live through
 * the handler's event stream. It reads the snapshot, derives rates from the totals between snapshots, and keeps a
 * short history per breaker for the sparklines.
 */
export function dashboardPage({ readOnly }: { readonly readOnly: boolean }): string {
  return page.replace('__READ_ONLY__', String(readOnly));
}

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Circuit breakers</title>
<style>
  :root { --closed: #1a7f37; --open: #cf222e; --half-open: #bf8700; --isolated: #8250df; --disabled: #6e7781;
    --line: #d0d7de; --muted: #57606a; font-family: system-ui, sans-serif; font-size: 14px; color: #1f2328; }
  body { margin: 0; background: #f6f8fa; }
  header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: 10px 16px;
    display: flex; gap: 12px; align-items: center; flex-wrap: wrap; z-index: 1; }
  h1 { font-size: 18px; margin: 0 12px 0 0; }
  input[type=search] { padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; min-width: 260px; }
  .chip { border: 1px solid var(--line); border-radius: 999px; padding: 3px 10px; background: #fff; cursor: pointer; }
  .chip[aria-pressed=true] { background: #ddf4ff; border-color: #54aeff; }
  .chip b { margin-left: 4px; }
  #live { margin-left: auto; color: var(--muted); }
  #live.on::before { content: '● '; color: var(--closed); }
  #status { min-height: 1.2em; color: var(--open); }
  main { padding: 12px 16px; display: grid; grid-template-columns: minmax(0, 1fr) 300px; gap: 16px; }
  section { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; margin-bottom: 12px; }
  section > h2 { font-size: 14px; margin: 0; padding: 8px 12px; border-bottom: 1px solid var(--line); }
  /* Fixed columns: a figure that changes (a countdown, a rate) never moves a control under the pointer. */
  table { border-collapse: collapse; width: 100%; min-width: 1040px; table-layout: fixed; }
  col.state { width: 80px; } col.failures { width: 72px; } col.rate { width: 68px; } col.recent { width: 110px; }
  col.retry { width: 84px; } col.transition { width: 176px; } col.controls { width: 216px; }
  td, th { padding: 6px 10px; border-bottom: 1px solid #eaeef2; text-align: left; white-space: nowrap;
    overflow: hidden; text-overflow: ellipsis; }
  th { color: var(--muted); font-weight: 500; font-size: 12px; }
  td.name { white-space: normal; overflow-wrap: anywhere; font-family: ui-monospace, monospace; }
  .state { color: #fff; border-radius: 4px; padding: 2px 8px; font-weight: 600; font-size: 12px; }
  .state.closed { background: var(--closed); } .state.open { background: var(--open); }
  .state.half-open { background: var(--half-open); } .state.isolated { background: var(--isolated); }
  .state.disabled { background: var(--disabled); }
  .num { font-variant-numeric: tabular-nums; }
  /* Two lines each, whatever they hold: a row keeps its height. */
  td.transition span { display: block; overflow: hidden; text-overflow: ellipsis; }
  td.controls { white-space: normal; } td.controls button { margin: 2px 0; }
  .muted { color: var(--muted); }
  svg.spark { width: 90px; height: 22px; vertical-align: middle; background: #f6f8fa; border-radius: 3px; }
  button { border: 1px solid var(--line); background: #f6f8fa; border-radius: 6px; padding: 3px 8px; cursor: pointer; }
  button:hover { background: #eaeef2; }
  .more { padding: 8px 12px; }
  aside ol { list-style: none; margin: 0; padding: 0; }
  aside li { padding: 6px 12px; border-bottom: 1px solid #eaeef2; font-size: 12px; }
  @media (max-width: 1000px) { main { grid-template-columns: minmax(0, 1fr); } }
</style>
</head>
<body>
<header>
  <h1>Circuit breakers</h1>
  <input id="search" type="search" placeholder="Filter by name" aria-label="Filter by name">
  <span id="chips"></span>
  <span id="live">connecting…</span>
</header>
<div id="status" role="status" style="padding: 0 16px"></div>
<main>
  <div id="groups"></div>
  <aside><section><h2>Last transitions</h2><ol id="transitions"></ol></section></aside>
</main>
<script>
'use strict';
const readOnly = __READ_ONLY__;
const order = ['open', 'half-open', 'isolated', 'disabled', 'closed'];
const controls = ['open', 'half-open', 'close', 'isolate', 'disable'];
const rowLimit = 200;
const columns = '<colgroup><col class="name"><col class="state"><col class="failures"><col class="rate">' +
  '<col class="rate"><col class="recent"><col class="retry"><col class="transition">' +
  (readOnly ? '' : '<col class="controls">') + '</colgroup>';
const historyLength = 40;
const base = location.pathname.replace(/\\/+$/, '');
const ui = { filter: '', states: new Set(), showAll: new Set() };
let breakers = [];
let clockOffset = 0;
const history = new Map();
const transitions = [];
let scheduled = false;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const seconds = (ms) => (ms < 0 ? 0 : Math.ceil(ms / 1000)) + ' s';
const ago = (time) => seconds(Date.now() + clockOffset - time) + ' ago';

function onSnapshot({ now, breakers: next }) {
  clockOffset = now - Date.now();
  for (const entry of next) {
    const past = history.get(entry.id) || { time: now, totals: entry, calls: [], faults: [] };
    const elapsed = (now - past.time) / 1000;
    if (elapsed >= 0.5) {
      push(past.calls, (entry.calls - past.totals.calls) / elapsed);
      push(past.faults, (entry.failures + entry.rejections - past.totals.failures - past.totals.rejections) / elapsed);
      past.time = now;
      past.totals = entry;
    }
    history.set(entry.id, past);
  }
  const ids = new Set(next.map((entry) => entry.id));
  for (const id of history.keys()) if (!ids.has(id)) history.delete(id);
  breakers = next;
  render();
}

function push(list, value) {
  list.push(Math.max(0, value));
  if (list.length > historyLength) list.shift();
}

function onTransition(item) {
  transitions.unshift(item);
  transitions.length = Math.min(transitions.length, 50);
  const entry = breakers.find((breaker) => breaker.id === item.id);
  if (entry) Object.assign(entry, { state: item.event.to, lastTransition: item.event });
  render();
}

function render() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    draw();
  });
}

function draw() {
  const counts = Object.fromEntries(order.map((state) => [state, 0]));
  for (const entry of breakers) counts[entry.state] = (counts[entry.state] || 0) + 1;
  document.getElementById('chips').innerHTML = order
    .filter((state) => counts[state] > 0 || ui.states.has(state))
    .map((state) => '<button class="chip" data-chip="' + state + '" aria-pressed="' + ui.states.has(state) + '">' +
      '<span class="state ' + state + '">' + state + '</span><b>' + counts[state] + '</b></button>')
    .join(' ');
  const filter = ui.filter.toLowerCase();
  const shown = breakers.filter((entry) =>
    entry.name.toLowerCase().includes(filter) && (ui.states.size === 0 || ui.states.has(entry.state)));
  const names = new Map();
  for (const entry of breakers) names.set(entry.name, (names.get(entry.name) || 0) + 1);
  // A narrow window scrolls a group sideways to its controls: the redraw keeps each group where it was scrolled.
  const groups = document.getElementById('groups');
  const scrolled = new Map([...groups.children].map((group) => [group.dataset.group, group.scrollLeft]));
  groups.innerHTML = order
    .map((state) => section(state, shown.filter((entry) => entry.state === state), names))
    .join('') || '<section><p class="more">No breaker matches.</p></section>';
  for (const group of groups.children) group.scrollLeft = scrolled.get(group.dataset.group) || 0;
  document.getElementById('transitions').innerHTML = transitions
    .map(({ name, event }) => '<li><b>' + escape(name) + '</b> ' + event.from + ' → <span class="state ' +
      event.to + '">' + event.to + '</span> <span class="muted">' + event.reason + ', ' + ago(event.time) + '</span></li>')
    .join('');
}

function section(state, entries, names) {
  if (entries.length === 0) return '';
  const limit = ui.showAll.has(state) ? entries.length : rowLimit;
  const rows = entries.slice(0, limit).map((entry) => row(entry, names.get(entry.name) > 1)).join('');
  const more = entries.length > limit
    ? '<div class="more">' + (entries.length - limit) + ' more: filter by name, or <button data-show-all="' +
      state + '">show all</button></div>'
    : '';
  return '<section data-group="' + state + '"><h2><span class="state ' + state + '">' + state + '</span> ' +
    entries.length + '</h2><table>' + columns + '<thead><tr><th>Name</th><th>State</th><th>Failures</th><th>Calls/s</th>' +
    '<th>Faults/s</th><th>Recent</th><th>Retry</th><th>Last transition</th>' + (readOnly ? '' : '<th></th>') +
    '</tr></thead><tbody>' + rows + '</tbody></table>' + more + '</section>';
}

function row(entry, shared) {
  const past = history.get(entry.id) || { calls: [], faults: [] };
  const last = (list) => (list.length ? list[list.length - 1].toFixed(1) : '–');
  const retry = entry.retryAt == null ? '' : 'in ' + seconds(entry.retryAt - Date.now() - clockOffset);
  const change = entry.lastTransition;
  const transition = change
    ? '<span>' + change.from + ' → ' + change.to + '</span><span class="muted" title="' + change.reason + '">' +
      ago(change.time) + ', ' + change.reason + '</span>'
    : '<span class="muted">none</span><span>&nbsp;</span>';
  const buttons = readOnly ? '' : '<td class="controls">' + controls
    .map((control) => '<button data-control="' + control + '" data-name="' + escape(entry.name) + '">' + control + '</button>')
    .join(' ') + '</td>';
  return '<tr data-name="' + escape(entry.name) + '" data-state="' + entry.state + '">' +
    '<td class="name">' + escape(entry.name) + (shared ? ' <span class="muted">#' + entry.id + '</span>' : '') + '</td>' +
    '<td><span class="state ' + entry.state + '">' + entry.state + '</span></td>' +
    '<td class="num">' + entry.failCounter + (entry.failMax === null ? '' : ' / ' + entry.failMax) + '</td>' +
    '<td class="num">' + last(past.calls) + '</td><td class="num">' + last(past.faults) + '</td>' +
    '<td>' + sparkline(past.calls, past.faults) + '</td>' +
    '<td class="num">' + retry + '</td><td class="transition">' + transition + '</td>' + buttons + '</tr>';
}

function sparkline(calls, faults) {
  const top = Math.max(1, ...calls, ...faults);
  const line = (list, colour) => '<polyline fill="none" stroke="' + colour + '" stroke-width="1.5" points="' +
    list.map((value, index) => (90 - (list.length - 1 - index) * 90 / (historyLength - 1)).toFixed(1) + ',' +
      (21 - value * 20 / top).toFixed(1)).join(' ') + '"/>';
  return '<svg class="spark" viewBox="0 0 90 22" aria-hidden="true">' + line(calls, '#8c959f') + line(faults, '#cf222e') + '</svg>';
}

async function act(control, name) {
  const status = document.getElementById('status');
  status.textContent = control + ' ' + name + '…';
  try {
    const response = await fetch(base + '/breakers/' + encodeURIComponent(name) + '/' + control, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
    });
    if (response.ok) {
      status.textContent = '';
      const { breakers: entries } = await response.json();
      for (const entry of entries) {
        const known = breakers.find((breaker) => breaker.id === entry.id);
        if (known) Object.assign(known, entry);
      }
      render();
    } else {
      const { error } = await response.json().catch(() => ({ error: response.statusText }));
      status.textContent = control + ' ' + name + ' refused: ' + response.status + ' ' + error;
    }
  } catch (error) {
    status.textContent = control + ' ' + name + ' failed: ' + error.message;
  }
}

document.addEventListener('click', (event) => {
  const target = event.target.closest('button');
  if (!target) return;
  if (target.dataset.control) act(target.dataset.control, target.dataset.name);
  if (target.dataset.chip) {
    const state = target.dataset.chip;
    if (!ui.states.delete(state)) ui.states.add(state);
    draw();
  }
  if (target.dataset.showAll) {
    ui.showAll.add(target.dataset.showAll);
    draw();
  }
});
document.getElementById('search').addEventListener('input', (event) => {
  ui.filter = event.target.value;
  draw();
});

const stream = new EventSource(base + '/breakers/events');
const live = document.getElementById('live');
stream.addEventListener('snapshot', (event) => onSnapshot(JSON.parse(event.data)));
stream.addEventListener('transition', (event) => onTransition(JSON.parse(event.data)));
stream.onopen = () => { live.textContent = 'live'; live.className = 'on'; };
stream.onerror = () => { live.textContent = 'reconnecting…'; live.className = ''; };
</script>
</body>
</html>
`;
