// Stream page: live player (hls.js through the balancer, or straight from the server that runs
// the stream while no balancer answers), status, media info, inputs and the stream's events.
import {
  api, ApiError, startPage, poll, el, td, badge, patchRows, fmtBitrate, fmtDuration, fmtNumber, timeEl,
  streamPath, showError, query,
} from './app.js';

const name = query('name');
const namePath = name.split('/').map(encodeURIComponent).join('/');
const video = document.getElementById('player');
const sourceText = document.getElementById('player-source');

document.title = `${name || 'Stream'} · Tributary`;
document.getElementById('stream-name').textContent = name || 'No stream named';
video.setAttribute('aria-label', `Live video of ${name}`);
document.getElementById('edit').href = '/edit.html?name=' + encodeURIComponent(name);

function fact(label, value) {
  return [el('dt', {}, label), el('dd', { 'data-fact': label }, value)];
}

function renderStream(s, servers) {
  const st = s.stats || {};
  const status = document.getElementById('stream-status');
  status.replaceChildren(badge(st.status || 'unknown'));
  status.dataset.status = st.status || '';
  const title = document.getElementById('stream-title');
  if (title.textContent !== (s.title || '')) title.textContent = s.title || '';
  const facts = [
    fact('Status', st.status || '—'),
    fact('Running on', (st.running_on || []).join(', ') || '—'),
    fact('Assigned to', st.assigned_to || '—'),
    fact('Generation', st.generation ?? '—'),
    fact('Bitrate', fmtBitrate(st.bitrate)),
    fact('Clients', st.online_clients ?? 0),
    fact('Up for', st.lifetime === null || st.lifetime === undefined ? '—' : fmtDuration(st.lifetime)),
    fact('Capture at', (s.cluster_ingest && s.cluster_ingest.capture_at) || 'any server'),
    fact('Static', s.static === false ? 'no (on demand)' : 'yes'),
  ];
  if (s.disabled) facts.push(fact('Disabled', 'yes'));
  if (s.dvr) facts.push(fact('DVR', `${s.dvr.expiration ? fmtDuration(s.dvr.expiration * 1000) : 'no expiry'}`
    + (s.dvr.storage_limit ? `, ${(s.dvr.storage_limit / 1e9).toFixed(1)} GB limit` : '')));
  if (s.transcoder && s.transcoder.video) {
    facts.push(fact('Transcoder', s.transcoder.video.map((r) =>
      `${r.size ? `${r.size.width ?? -1}x${r.size.height ?? -1} ` : ''}${fmtBitrate(r.bitrate)}`).join(', ')));
  }
  if (st.waiting_reason) facts.push(fact('Waiting because', st.waiting_reason));
  facts.push(fact('Last error', st.last_error || '—'));
  const dl = document.getElementById('facts');
  const fresh = el('dl', {}, ...facts.flat());
  if (dl.innerHTML !== fresh.innerHTML) dl.replaceChildren(...fresh.childNodes);

  const tracks = (st.media_info && st.media_info.tracks) || [];
  patchRows(document.querySelector('#tracks tbody'), tracks, (t) => t.track_id || `${t.content}-${t.codec}`, (t) => el('tr', {},
    td('Track', t.track_id || '—'),
    td('Content', t.content || '—'),
    td('Codec', t.codec || '—'),
    td('Size', t.width ? `${t.width}x${t.height}` : '—'),
    td('FPS', t.fps ? fmtNumber(t.fps, t.fps % 1 ? 2 : 0) : '—', 'num'),
    td('Sample rate', t.sample_rate ? `${t.sample_rate} Hz` : '—', 'num'),
    td('Channels', t.channels ?? '—', 'num'),
    td('Bitrate', fmtBitrate(t.bitrate), 'num')), 'No media info: the stream is not running.', 8);

  const inputs = document.getElementById('inputs');
  const items = (s.inputs || []).map((i) => el('li', {}, i.url,
    el('span', { class: 'muted' }, ` priority ${i.priority ?? 'default'}, source timeout ${i.source_timeout ?? 3} s`)));
  const fresh2 = el('ul', {}, ...items);
  if (inputs.innerHTML !== fresh2.innerHTML) inputs.replaceChildren(...fresh2.childNodes);

  updatePlayer(s, servers);
}

function renderEvents(events) {
  patchRows(document.querySelector('#events tbody'), events, (ev) => String(ev.id), (ev) => el('tr', { 'data-type': ev.type },
    td('Time', timeEl(ev.time)),
    td('Event', badge(ev.type), 'type'),
    td('Server', ev.server || ''),
    td('Generation', ev.generation ?? '', 'num'),
    td('Duration', ev.duration_ms === null || ev.duration_ms === undefined ? '' : fmtDuration(ev.duration_ms), 'num'),
    td('Message', ev.message || '')), 'No events yet.', 6);
}

// ---- player ----------------------------------------------------------------------------------
// Prefer the balancer (/lb/NAME/index.m3u8 answers 302 to a server). When it is not there (404)
// play straight from a server that runs the stream. On a fatal error (the server died, the
// stream moved) start again from fresh placement, so playback follows a failover.

let hls = null;
let current = null;         // {url, label, host}
let balancerMissing = false;
let retryAt = 0;
let mediaRecoveries = 0;

function setSource(text) {
  if (sourceText.textContent !== text) sourceText.textContent = text;
}

function hostOf(url, servers) {
  for (const s of servers) {
    const base = (s.public_payload_url || '').replace(/\/$/, '');
    if (base && url.startsWith(base + '/')) return s.hostname;
  }
  return null;
}

function sources(stream, servers) {
  const list = [];
  if (!balancerMissing) list.push({ url: `/lb/${namePath}/index.m3u8`, label: 'the balancer', balancer: true });
  for (const host of (stream.stats && stream.stats.running_on) || []) {
    const server = servers.find((s) => s.hostname === host);
    if (server && server.public_payload_url) {
      list.push({ url: `${server.public_payload_url.replace(/\/$/, '')}/${namePath}/index.m3u8`, label: host, host });
    }
  }
  return list;
}

function stopPlayer() {
  if (hls) { hls.destroy(); hls = null; }
  current = null;
}

function updatePlayer(stream, servers) {
  const st = stream.stats || {};
  const runningOn = st.running_on || [];
  if (current && current.host && !runningOn.includes(current.host) && st.status === 'running') {
    // The stream moved (drain or failover) while we played the old server: follow it.
    stopPlayer();
  }
  if (current || Date.now() < retryAt) return;
  if (st.status !== 'running') {
    setSource(`Waiting for the stream (${st.status || 'unknown'})…`);
    return;
  }
  const list = sources(stream, servers);
  if (list.length) play(list, 0, servers);
}

function play(list, i, servers) {
  stopPlayer();
  const src = list[i];
  current = { ...src };
  const next = (why) => {
    if (i + 1 < list.length) { play(list, i + 1, servers); return; }
    stopPlayer();
    retryAt = Date.now() + 2000;
    setSource(`Playback stopped (${why}); trying again…`);
  };
  if (window.Hls && window.Hls.isSupported()) {
    const H = window.Hls;
    hls = new H({ liveSyncDurationCount: 2, enableWorker: true });
    hls.on(H.Events.MANIFEST_LOADED, (_, data) => {
      if (!current) return;
      const finalUrl = (data.networkDetails && data.networkDetails.responseURL) || src.url;
      current.host = src.host || hostOf(finalUrl, servers);
      setSource(src.balancer
        ? `Playing through the balancer${current.host ? ` from ${current.host}` : ''}: ${location.origin}${src.url}`
        : `Playing straight from ${src.label} (no balancer answered): ${src.url}`);
    });
    hls.on(H.Events.MANIFEST_PARSED, () => { video.play().catch(() => {}); });
    hls.on(H.Events.FRAG_BUFFERED, () => { mediaRecoveries = 0; });
    hls.on(H.Events.ERROR, (_, data) => {
      if (!data.fatal) return;
      if (data.type === H.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
        mediaRecoveries++;
        hls.recoverMediaError();
        return;
      }
      if (src.balancer && data.response && data.response.code === 404) balancerMissing = true;
      next(data.details);
    });
    hls.loadSource(src.url);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    // Safari and iOS play HLS natively and follow the balancer's redirect themselves.
    video.src = src.url;
    video.addEventListener('error', () => next('media error'), { once: true });
    video.play().catch(() => {});
    setSource(`Playing ${src.url}`);
  } else {
    setSource('This browser cannot play HLS.');
    current = { url: '', label: 'none' };
  }
}

// ---- actions -----------------------------------------------------------------------------------

document.getElementById('restart').addEventListener('click', async () => {
  try {
    await api(streamPath(name) + '/restart', { method: 'POST' });
    showError('');
    stopPlayer();
    poller.now();
  } catch (err) {
    showError(`Restart failed: ${err.message}`);
  }
});

document.getElementById('delete').addEventListener('click', async () => {
  if (!confirm(`Delete stream ${name}? Its capture stops at once.`)) return;
  try {
    stopPlayer();
    await api(streamPath(name), { method: 'DELETE' });
    location.replace('/streams.html');
  } catch (err) {
    showError(`Delete failed: ${err.message}`);
  }
});

async function refresh() {
  let stream;
  try {
    const [s, servers, events] = await Promise.all([
      api(streamPath(name)),
      api('/api/v1/servers'),
      api('/api/v1/events?' + new URLSearchParams({ stream: name, limit: '50' })),
    ]);
    stream = s.data;
    renderStream(stream, servers.data.servers);
    renderEvents(events.data.events);
    showError('');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      stopPlayer();
      showError(`There is no stream named ${name}.`);
      return;
    }
    throw err;
  }
}

let poller;
startPage('streams').then(() => {
  if (!name) { showError('No stream named in the address (?name=).'); return; }
  poller = poll(refresh);
});
