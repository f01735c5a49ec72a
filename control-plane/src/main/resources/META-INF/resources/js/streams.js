// Streams page: every stream with status, placement and load; search (?q=) and status filter (?status=).
import { api, startPage, poll, el, td, badge, patchRows, fmtBitrate, streamPage, query } from './app.js';

const PAGE = 500;
const tbody = document.querySelector('#streams tbody');
const form = document.getElementById('filter');
const q = document.getElementById('q');
const status = document.getElementById('status');
const count = document.getElementById('count');
q.value = query('q');
status.value = query('status');

function row(s) {
  const st = s.stats || {};
  return el('tr', { 'data-stream': s.name, 'data-status': st.status },
    td('Stream', [el('a', { href: streamPage(s.name) }, s.name), s.title ? el('div', { class: 'muted' }, s.title) : '']),
    td('Status', badge(st.status || 'unknown'), 'status'),
    td('Running on', (st.running_on || []).join(', ') || el('span', { class: 'muted' }, st.assigned_to ? `assigned to ${st.assigned_to}` : '—')),
    td('Generation', st.generation ?? '—', 'num'),
    td('Bitrate', fmtBitrate(st.bitrate), 'num'),
    td('Clients', st.online_clients ?? 0, 'num'),
    td('Last error', st.last_error || st.waiting_reason || '', 'last-error'));
}

async function refresh() {
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (q.value.trim()) params.set('q', q.value.trim());
  const { data } = await api('/api/v1/streams?' + params);
  const shown = status.value ? data.streams.filter((s) => (s.stats || {}).status === status.value) : data.streams;
  const empty = q.value || status.value ? 'No stream matches the filter.' : 'No streams yet.';
  patchRows(tbody, shown, (s) => s.name, row, empty, 7);
  const text = `${shown.length} stream${shown.length === 1 ? '' : 's'}` + (data.next ? ` (first ${PAGE} only: narrow the search)` : '');
  if (count.textContent !== text) count.textContent = text;
}

function applyFilter() {
  const params = new URLSearchParams();
  if (q.value.trim()) params.set('q', q.value.trim());
  if (status.value) params.set('status', status.value);
  history.replaceState(null, '', location.pathname + (params.size ? '?' + params : ''));
  poller.now();
}

let debounce;
form.addEventListener('submit', (e) => { e.preventDefault(); applyFilter(); });
q.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(applyFilter, 300); });
status.addEventListener('change', applyFilter);

let poller;
startPage('streams').then(() => { poller = poll(refresh); });
