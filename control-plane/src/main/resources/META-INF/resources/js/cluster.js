// Cluster page: summary counts and every server with status, roles, load and drain controls.
import { api, startPage, poll, el, td, badge, patchRows, fmtNumber, timeEl, showError } from './app.js';

const tbody = document.querySelector('#servers tbody');
const summary = document.getElementById('summary');

function loadCell(value, limit, unit) {
  if (value === null || value === undefined) return el('span', { class: 'muted' }, '—');
  const text = limit ? `${value} / ${limit}` : `${value}${unit || ''}`;
  if (!limit) return text;
  const pct = Math.min(100, Math.round((100 * value) / limit));
  const meter = el('span', { class: 'meter', role: 'img', 'aria-label': `${pct}% of the limit` }, el('span'));
  meter.firstChild.style.width = pct + '%';
  return [text, meter];
}

function row(s) {
  const st = s.stats || {};
  const draining = s.schedulable === 'draining';
  const statusCell = [badge(s.status || 'unknown', s.status === 'up' ? 'up' : 'down')];
  if (draining) statusCell.push(badge('draining'));
  const out = st.output_kbit === null || st.output_kbit === undefined ? null
    : (st.output_kbit >= 1000 ? (st.output_kbit / 1000).toFixed(1) + ' Mbit/s' : st.output_kbit + ' kbit/s');
  const action = draining
    ? el('button', { type: 'button', class: 'small', 'data-action': 'undrain', 'data-host': s.hostname,
      'aria-label': `Undrain ${s.hostname}` }, 'Undrain')
    : el('button', { type: 'button', class: 'small', 'data-action': 'drain', 'data-host': s.hostname,
      'aria-label': `Drain ${s.hostname}` }, 'Drain');
  return el('tr', { 'data-server': s.hostname, 'data-status': s.status, 'data-schedulable': s.schedulable },
    td('Server', [el('strong', {}, s.hostname), s.public_payload_url ? el('div', { class: 'muted mono' }, s.public_payload_url) : '']),
    td('Status', statusCell, 'status'),
    td('Roles', (s.roles || []).join(', ') || '—'),
    td('CPU', st.cpu_usage === undefined || st.cpu_usage === null ? '—' : fmtNumber(st.cpu_usage, 0) + '%', 'num'),
    td('Output', loadCell(out, null), 'num'),
    td('Clients', loadCell(st.total_clients, null), 'num'),
    td('Streams', loadCell(st.online_streams ?? 0, s.channel_limit), 'num'),
    td('Last report', timeEl(s.last_seen_at, true)),
    td('Actions', action, 'admin-only'));
}

function renderSummary(c) {
  const cards = [];
  const sv = c.servers || {};
  const sm = c.streams || {};
  const add = (n, label, id) => cards.push(el('div', { class: 'card', id }, el('div', { class: 'n' }, String(n || 0)), el('div', { class: 'l' }, label)));
  add(sv.up, 'servers up', 'sum-servers-up');
  add(sv.down, 'servers down', 'sum-servers-down');
  add(sv.draining, 'draining', 'sum-servers-draining');
  add(sm.running, 'streams running', 'sum-streams-running');
  add((sm.starting || 0) + (sm.waiting || 0), 'starting or waiting', 'sum-streams-pending');
  add(sm.error, 'streams in error', 'sum-streams-error');
  summary.replaceChildren(...cards);
}

async function refresh() {
  const [servers, cluster] = await Promise.all([api('/api/v1/servers'), api('/api/v1/cluster')]);
  const list = servers.data.servers.slice().sort((a, b) => a.hostname.localeCompare(b.hostname));
  patchRows(tbody, list, (s) => s.hostname, row, 'No servers yet: start a worker agent pointed at this control plane.', 9);
  renderSummary(cluster.data);
}

tbody.addEventListener('click', async (e) => {
  const button = e.target.closest('button[data-action]');
  if (!button) return;
  button.disabled = true;
  try {
    await api(`/api/v1/servers/${encodeURIComponent(button.dataset.host)}/${button.dataset.action}`, { method: 'POST' });
    showError('');
    poller.now();
  } catch (err) {
    showError(`Could not ${button.dataset.action} ${button.dataset.host}: ${err.message}`);
    button.disabled = false;
  }
});

let poller;
startPage('cluster').then(() => { poller = poll(refresh); });
