// Shared parts of the admin UI: the JSON API client (session cookie + X-Tributary-UI header),
// the page shell (header, navigation, sign-out), short polling, DOM building and formatting.

const UI_HEADER = { 'X-Tributary-UI': '1' };

/** An API answer that is not 2xx, carrying the API's error body ({error, message, field}). */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.field = this.body.field || null;
  }
}

/** Calls the control plane. Resolves to {data, etag}; rejects with ApiError (or a TypeError when offline). */
export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { ...UI_HEADER, ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (res.status === 401 && !path.startsWith('/ui/session')) {
    toLogin();
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return { data, etag: res.headers.get('ETag') };
}

/** The path of a stream in the API: each part of the name encoded, slashes kept. */
export function streamPath(name) {
  return '/api/v1/streams/' + name.split('/').map(encodeURIComponent).join('/');
}

export function streamPage(name) {
  return '/stream.html?name=' + encodeURIComponent(name);
}

function toLogin() {
  const next = location.pathname + location.search;
  location.replace('/login.html?next=' + encodeURIComponent(next));
}

/**
 * Starts a signed-in page: checks the session (else goes to sign-in), draws the header with
 * the navigation, role and sign-out, and shows the page. Resolves to the session {role}.
 */
export async function startPage(active) {
  const { data: session } = await api('/ui/session');
  if (!session || !session.authenticated) {
    toLogin();
    return new Promise(() => {});
  }
  document.body.dataset.role = session.role;
  document.body.prepend(shell(active, session.role));
  document.body.classList.remove('pending');
  return session;
}

function shell(active, role) {
  const pages = [['cluster', '/', 'Cluster'], ['streams', '/streams.html', 'Streams'], ['events', '/events.html', 'Events']];
  const signOut = el('button', { type: 'button', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    try { await api('/ui/session', { method: 'DELETE' }); } finally { location.replace('/login.html'); }
  });
  return el('header', { class: 'top' },
    el('div', { class: 'bar' },
      el('a', { class: 'brand', href: '/' }, el('img', { src: '/favicon.svg', alt: '' }), 'Tributary'),
      el('nav', { 'aria-label': 'Main' },
        el('ul', {}, ...pages.map(([key, href, label]) =>
          el('li', {}, el('a', { href, 'aria-current': key === active ? 'page' : null }, label))))),
      el('div', { class: 'who' },
        el('span', { id: 'live', class: 'live', role: 'status' }, 'live'),
        el('span', { id: 'role' }, 'signed in as ', el('strong', {}, role)),
        signOut)));
}

function setLive(ok, message) {
  const live = document.getElementById('live');
  if (!live) return;
  live.classList.toggle('stale', !ok);
  const text = ok ? 'live' : message;
  if (live.textContent !== text) live.textContent = text;
}

/**
 * Runs fn now and then every ms after it finishes (never overlapping); pauses while the tab is
 * hidden. Failures show in the header's live indicator and are retried on the next tick.
 */
export function poll(fn, ms = 2000) {
  let timer = null;
  let running = false;
  const tick = async () => {
    timer = null;
    if (running) return;
    running = true;
    try {
      await fn();
      setLive(true);
    } catch (e) {
      setLive(false, e instanceof ApiError ? `update failed: ${e.message}` : 'control plane unreachable');
    } finally {
      running = false;
      if (!document.hidden) timer = setTimeout(tick, ms);
    }
  };
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && timer === null && !running) tick();
  });
  tick();
  return { now: () => { if (timer) clearTimeout(timer); tick(); } };
}

/** Builds an element: attributes (null/false skipped, on* as listeners) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/**
 * Brings a tbody in line with items without rebuilding it: rows are keyed by data-key, and a
 * cell is replaced only when its content changed, so focus and text selection survive polling.
 */
export function patchRows(tbody, items, key, row, emptyText, columns) {
  const wanted = new Map(items.map((it) => [key(it), it]));
  for (const tr of [...tbody.rows]) {
    if (!tr.dataset.key || !wanted.has(tr.dataset.key)) tr.remove();
  }
  let prev = null;
  for (const [k, it] of wanted) {
    const fresh = row(it);
    fresh.dataset.key = k;
    let cur = [...tbody.rows].find((r) => r.dataset.key === k);
    if (!cur) {
      cur = fresh;
    } else {
      for (let i = 0; i < fresh.cells.length; i++) {
        const a = cur.cells[i];
        const b = fresh.cells[i];
        if (!a) { cur.append(b.cloneNode(true)); continue; }
        if (a.innerHTML !== b.innerHTML || a.className !== b.className) {
          a.replaceChildren(...b.childNodes);
          a.className = b.className;
        }
      }
      for (const name of fresh.getAttributeNames()) cur.setAttribute(name, fresh.getAttribute(name));
    }
    const after = prev ? prev.nextSibling : tbody.firstChild;
    if (after !== cur) tbody.insertBefore(cur, after);
    prev = cur;
  }
  if (items.length === 0 && emptyText) {
    tbody.append(el('tr', { class: 'empty' }, el('td', { colspan: columns }, emptyText)));
  }
}

/** A table cell that also carries its column name, shown on phones where the header is hidden. */
export function td(label, content, cls) {
  // One wrapper per cell, so the phone layout (label | value grid) keeps multi-part values together.
  return el('td', { 'data-label': label, class: cls || null }, el('div', { class: 'cell' }, content));
}

export function badge(text, kind) {
  return el('span', { class: 'badge ' + (kind || text) }, text);
}

export function fmtBitrate(bps) {
  if (bps === null || bps === undefined) return '—';
  if (bps >= 1e6) return (bps / 1e6).toFixed(bps >= 1e7 ? 0 : 1) + ' Mbit/s';
  if (bps >= 1e3) return Math.round(bps / 1e3) + ' kbit/s';
  return bps + ' bit/s';
}

export function fmtNumber(n, digits = 0) {
  return n === null || n === undefined ? '—' : Number(n).toFixed(digits);
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return ms + ' ms';
  const s = ms / 1000;
  if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function ago(iso) {
  if (!iso) return 'never';
  const ms = Date.now() - Date.parse(iso);
  if (ms < 1500) return 'just now';
  return fmtDuration(Math.max(0, Math.round(ms / 1000) * 1000)) + ' ago';
}

/** A <time> with the local time as text and the exact instant as its datetime and title. */
export function timeEl(iso, relative) {
  if (!iso) return el('span', { class: 'muted' }, 'never');
  const d = new Date(iso);
  const text = relative ? ago(iso) : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
  return el('time', { datetime: iso, title: d.toISOString() }, text);
}

/** Shows an error of an action (drain, restart, delete) in the page's alert region. */
export function showError(message) {
  const region = document.getElementById('page-alert');
  if (!region) return;
  region.replaceChildren(message ? el('div', { class: 'alert' }, message) : '');
}

export function query(name) {
  return new URLSearchParams(location.search).get(name) || '';
}
