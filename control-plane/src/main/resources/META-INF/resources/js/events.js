// Events page: the cluster's timeline, newest first, filtered by type, stream and server (kept in the URL).
import { api, startPage, poll, el, td, badge, patchRows, fmtDuration, timeEl, streamPage, query } from './app.js';

const LIMIT = 100;
const tbody = document.querySelector('#events tbody');
const form = document.getElementById('filter');
const fields = ['type', 'stream', 'server'].map((id) => document.getElementById(id));
const olderButton = document.getElementById('older');
for (const f of fields) f.value = query(f.id);

let older = [];        // pages fetched with "Show older events", kept below the live first page
let olderCursor = null;

function eventRow(ev, withStream) {
  const cells = [
    td('Time', timeEl(ev.time)),
    td('Event', badge(ev.type), 'type'),
  ];
  if (withStream) cells.push(td('Stream', ev.stream ? el('a', { href: streamPage(ev.stream) }, ev.stream) : ''));
  cells.push(
    td('Server', ev.server || ''),
    td('Generation', ev.generation ?? '', 'num'),
    td('Duration', ev.duration_ms === null || ev.duration_ms === undefined ? '' : fmtDuration(ev.duration_ms), 'num'),
    td('Message', ev.message || ''));
  return el('tr', { 'data-type': ev.type, 'data-event-id': ev.id }, ...cells);
}

function params(extra) {
  const p = new URLSearchParams({ limit: String(LIMIT), ...extra });
  for (const f of fields) if (f.value.trim()) p.set(f.id, f.value.trim());
  return p;
}

let firstNext = null;
async function refresh() {
  const { data } = await api('/api/v1/events?' + params());
  firstNext = data.next;
  const all = data.events.concat(older.filter((o) => !data.events.some((e) => e.id === o.id)));
  patchRows(tbody, all, (ev) => String(ev.id), (ev) => eventRow(ev, true), 'No events match the filter.', 7);
  olderButton.hidden = (olderCursor ?? firstNext) === null;
}

olderButton.addEventListener('click', async () => {
  const before = olderCursor ?? firstNext;
  if (before === null) return;
  const { data } = await api('/api/v1/events?' + params({ before: String(before) }));
  older = older.concat(data.events);
  olderCursor = data.next;
  poller.now();
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const p = new URLSearchParams();
  for (const f of fields) if (f.value.trim()) p.set(f.id, f.value.trim());
  history.replaceState(null, '', location.pathname + (p.size ? '?' + p : ''));
  older = [];
  olderCursor = null;
  poller.now();
});
for (const f of fields) if (f.tagName === 'SELECT') f.addEventListener('change', () => form.requestSubmit());

let poller;
startPage('events').then(() => { poller = poll(refresh); });
