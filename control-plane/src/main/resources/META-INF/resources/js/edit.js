// Create or edit a stream: inputs with priorities, transcoder ladder, DVR, capture preference.
// The API validates; its 400 answer names a field (e.g. inputs[0].url) and the message is shown
// beside the control that has that data-field. Fields the form does not show are kept on edit.
import { api, ApiError, startPage, el, streamPath, streamPage, showError, query } from './app.js';

const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'];
const form = document.getElementById('stream-form');
const editing = query('name');
let original = {};  // the stored config on edit, so fields without a control survive a save
let etag = null;
let uid = 0;

/** A labelled control with its error line; the control carries data-field = the API's field path. */
function field(label, control, { hint, cls } = {}) {
  const id = control.id || `f${++uid}`;
  control.id = id;
  const error = el('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const hintEl = hint ? el('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  control.setAttribute('aria-describedby', [hintEl ? hintEl.id : null, error.id].filter(Boolean).join(' '));
  if (control.type === 'checkbox') {
    return el('div', { class: 'field check ' + (cls || '') }, el('label', { for: id }, control, label), hintEl, error);
  }
  return el('div', { class: 'field ' + (cls || '') }, el('label', { for: id }, label), control, hintEl, error);
}

function input(attrs) {
  return el('input', { type: 'text', autocomplete: 'off', ...attrs });
}

function number(attrs) {
  return el('input', { type: 'number', inputmode: 'numeric', ...attrs });
}

function select(options, value, attrs) {
  const s = el('select', attrs, ...options.map(([v, label]) => el('option', { value: v }, label)));
  s.value = value ?? '';
  return s;
}

/** A fieldset that can take errors aimed at the whole group (e.g. "inputs", "transcoder"). */
function group(legend, fieldPath, ...children) {
  const id = `g${++uid}`;
  return el('fieldset', { 'data-group': fieldPath, 'aria-describedby': `${id}-error` },
    el('legend', {}, legend), el('p', { class: 'field-error', id: `${id}-error`, hidden: true }), ...children);
}

// ---- rows ----------------------------------------------------------------------------------------

function inputRow(inp = {}) {
  const row = el('div', { class: 'row input-row', 'data-row': 'input' },
    field('URL', input({ name: 'url', value: inp.url || '', placeholder: 'fake://demo, rtsp://camera/stream, publish://', 'data-sub': 'url', spellcheck: 'false' })),
    field('Priority', number({ name: 'priority', value: inp.priority ?? '', min: 0, max: 1000, placeholder: '1', 'data-sub': 'priority' })),
    field('Source timeout (s)', number({ name: 'source_timeout', value: inp.source_timeout ?? '', min: 1, max: 3600, placeholder: '3', 'data-sub': 'source_timeout' })),
    el('button', { type: 'button', class: 'small remove', 'data-remove': 'input' }, 'Remove'));
  return row;
}

function rungRow(r = {}) {
  const size = r.size || {};
  const row = el('div', { class: 'row rung-row', 'data-row': 'rung' },
    field('Bitrate (bit/s)', number({ value: r.bitrate ?? '', min: 10000, step: 1000, placeholder: '2500000', 'data-sub': 'bitrate' })),
    field('Width', number({ value: size.width ?? '', placeholder: '-1', 'data-sub': 'size.width' })),
    field('Height', number({ value: size.height ?? '', placeholder: '720', 'data-sub': 'size.height' })),
    field('Preset', select([['', 'default'], ...PRESETS.map((p) => [p, p])], r.preset, { 'data-sub': 'preset' })),
    field('GOP (frames)', number({ value: r.gop ?? '', min: 1, max: 600, placeholder: '50', 'data-sub': 'gop' })),
    field('Codec', select([['', 'default (h264)'], ['h264', 'h264'], ['hevc', 'hevc']], r.codec, { 'data-sub': 'codec' })),
    el('button', { type: 'button', class: 'small remove', 'data-remove': 'rung' }, 'Remove'));
  row.dataset.fps = r.fps ?? '';
  return row;
}

function labelRows() {
  // Remove buttons need names a screen reader can tell apart.
  form.querySelectorAll('[data-row="input"]').forEach((row, i) => {
    row.querySelector('[data-remove]').setAttribute('aria-label', `Remove input ${i + 1}`);
    row.querySelectorAll('[data-sub]').forEach((c) => { c.dataset.field = `inputs[${i}].${c.dataset.sub}`; });
  });
  form.querySelectorAll('[data-row="rung"]').forEach((row, i) => {
    row.querySelector('[data-remove]').setAttribute('aria-label', `Remove rung ${i + 1}`);
    row.querySelectorAll('[data-sub]').forEach((c) => { c.dataset.field = `transcoder.video[${i}].${c.dataset.sub}`; });
  });
}

// ---- form ----------------------------------------------------------------------------------------

function build(s, servers) {
  const dvr = s.dvr || {};
  const audio = (s.transcoder && s.transcoder.audio) || {};
  const inputsBox = el('div', { id: 'inputs' }, ...(s.inputs && s.inputs.length ? s.inputs : [{}]).map(inputRow));
  const rungsBox = el('div', { id: 'rungs' }, ...((s.transcoder && s.transcoder.video) || []).map(rungRow));
  const hosts = el('datalist', { id: 'server-names' }, ...servers.map((h) => el('option', { value: h.hostname })));
  const staticBox = el('input', { type: 'checkbox', id: 'static', 'data-field': 'static' });
  staticBox.checked = s.static !== false;
  const disabledBox = el('input', { type: 'checkbox', id: 'disabled', 'data-field': 'disabled' });
  disabledBox.checked = s.disabled === true;

  form.replaceChildren(
    el('div', { id: 'form-alert', 'aria-live': 'assertive' }),
    group('Stream', 'stream',
      el('div', { class: 'grid' },
        field('Name', input({ id: 'name', value: s.name || '', 'data-field': 'name', readonly: !!editing, required: true, spellcheck: 'false' }),
          { hint: "Letters, digits, '.', '-', '_'; '/' between parts." }),
        field('Title', input({ id: 'title', value: s.title || '', 'data-field': 'title' }))),
      el('div', { class: 'grid' },
        field('Static: keep it running on a server of the cluster', staticBox, { hint: 'Off: started when a viewer asks.' }),
        field('Disabled', disabledBox))),
    group('Inputs', 'inputs',
      el('p', { class: 'hint' }, 'Lower priority numbers are tried first; the next input takes over when one fails.'),
      inputsBox,
      el('p', {}, el('button', { type: 'button', id: 'add-input', class: 'small' }, 'Add input'))),
    group('Cluster ingest', 'cluster_ingest',
      field('Capture at', input({ id: 'capture_at', value: (s.cluster_ingest && s.cluster_ingest.capture_at) || '', list: 'server-names', 'data-field': 'cluster_ingest.capture_at', placeholder: 'any server' }),
        { hint: 'Preferred server; the stream moves elsewhere when it is down or draining.' }),
      hosts),
    group('Transcoder', 'transcoder',
      el('div', { 'data-group': 'transcoder.video' },
        el('p', { class: 'hint' }, 'Video ladder: one rung per rendition. Width or height -1 keeps the aspect ratio. No rungs: video is copied.'),
        el('p', { class: 'field-error', id: 'ladder-error', hidden: true }),
        rungsBox,
        el('p', {}, el('button', { type: 'button', id: 'add-rung', class: 'small' }, 'Add rung'))),
      el('div', { class: 'grid' },
        field('Audio codec', select([['', 'no audio setting'], ['aac', 'aac'], ['copy', 'copy']], audio.codec, { id: 'audio_codec', 'data-field': 'transcoder.audio.codec' })),
        field('Audio bitrate (bit/s)', number({ id: 'audio_bitrate', value: audio.bitrate ?? '', placeholder: '128000', 'data-field': 'transcoder.audio.bitrate' })))),
    group('DVR', 'dvr',
      el('div', { class: 'grid' },
        field('Expiration (s)', number({ id: 'dvr_expiration', value: dvr.expiration ?? '', min: 1, placeholder: '86400', 'data-field': 'dvr.expiration' }),
          { hint: 'How long the archive is kept. Empty: no DVR.' }),
        field('Storage limit (bytes)', number({ id: 'dvr_storage_limit', value: dvr.storage_limit ?? '', min: 0, placeholder: '10000000000', 'data-field': 'dvr.storage_limit' })))),
    group('HLS and clients', 'hls',
      el('div', { class: 'grid' },
        field('Segment duration (ms)', number({ id: 'segment_duration', value: s.segment_duration ?? '', placeholder: '2000', 'data-field': 'segment_duration' })),
        field('Segment count', number({ id: 'segment_count', value: s.segment_count ?? '', placeholder: '6', 'data-field': 'segment_count' })),
        field('Clients timeout (s)', number({ id: 'clients_timeout', value: s.clients_timeout ?? '', placeholder: '30', 'data-field': 'clients_timeout' })))),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'primary', id: 'save' }, editing ? 'Save changes' : 'Create stream'),
      el('a', { class: 'button', href: editing ? streamPage(editing) : '/streams.html' }, 'Cancel')));
  labelRows();
}

form.addEventListener('click', (e) => {
  const remove = e.target.closest('[data-remove]');
  if (remove) {
    const row = remove.closest('.row');
    const kind = remove.dataset.remove;
    const box = row.parentElement;
    row.remove();
    if (kind === 'input' && !box.children.length) box.append(inputRow());
    labelRows();
    (box.querySelector('input, select') || document.getElementById(kind === 'input' ? 'add-input' : 'add-rung')).focus();
  } else if (e.target.id === 'add-input') {
    const row = inputRow();
    document.getElementById('inputs').append(row);
    labelRows();
    row.querySelector('input').focus();
  } else if (e.target.id === 'add-rung') {
    const row = rungRow();
    document.getElementById('rungs').append(row);
    labelRows();
    row.querySelector('input').focus();
  }
});

// ---- errors --------------------------------------------------------------------------------------

function clearErrors() {
  form.querySelectorAll('.field-error').forEach((p) => { p.hidden = true; p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
  document.getElementById('form-alert').replaceChildren();
}

/** Puts the message next to the control for field (or its nearest enclosing group), else on top. */
function showFieldError(fieldPath, message) {
  let path = fieldPath || '';
  while (path) {
    const control = [...form.querySelectorAll('[data-field]')].find((c) => c.dataset.field === path);
    if (control) {
      const p = document.getElementById(`${control.id}-error`);
      p.textContent = message;
      p.hidden = false;
      control.setAttribute('aria-invalid', 'true');
      control.focus();
      return;
    }
    const grp = [...form.querySelectorAll('[data-group]')].find((g) => g.dataset.group === path);
    if (grp) {
      const p = grp.querySelector(':scope > .field-error');
      p.textContent = message;
      p.hidden = false;
      grp.scrollIntoView({ block: 'center' });
      return;
    }
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    path = cut > 0 ? path.slice(0, cut) : '';
  }
  document.getElementById('form-alert').replaceChildren(el('div', { class: 'alert', role: 'alert' }, message));
  form.scrollIntoView();
}

// ---- body ----------------------------------------------------------------------------------------

class FormError extends Error {
  constructor(fieldPath, message) { super(message); this.field = fieldPath; }
}

function num(control) {
  if (control.validity && control.validity.badInput) {
    throw new FormError(control.dataset.field, `${control.dataset.field} must be a number`);
  }
  const v = control.value.trim();
  return v === '' ? undefined : Number(v);
}

function set(obj, key, value) {
  if (value === undefined || value === '' || value === null) delete obj[key];
  else obj[key] = value;
}

/** The PUT body: the original config with the form's fields written over it. */
function body() {
  const b = JSON.parse(JSON.stringify(original));
  delete b.stats;
  delete b.assignment;
  delete b.name;
  const $ = (id) => document.getElementById(id);
  set(b, 'title', $('title').value.trim());
  b.inputs = [...form.querySelectorAll('[data-row="input"]')].map((row) => {
    const i = {};
    const c = (sub) => row.querySelector(`[data-sub="${sub}"]`);
    set(i, 'url', c('url').value.trim());
    set(i, 'priority', num(c('priority')));
    set(i, 'source_timeout', num(c('source_timeout')));
    return i;
  });
  // Write booleans only when they differ from the default, so an untouched edit changes nothing.
  if ($('static').checked) { if (original.static !== true) delete b.static; } else b.static = false;
  if ($('disabled').checked) b.disabled = true; else if (original.disabled !== false) delete b.disabled;
  const at = $('capture_at').value.trim();
  if (at) b.cluster_ingest = { ...(original.cluster_ingest || {}), capture_at: at };
  else if (b.cluster_ingest) { delete b.cluster_ingest.capture_at; if (!Object.keys(b.cluster_ingest).length) delete b.cluster_ingest; }

  const rungs = [...form.querySelectorAll('[data-row="rung"]')].map((row) => {
    const r = {};
    const c = (sub) => row.querySelector(`[data-sub="${sub}"]`);
    set(r, 'bitrate', num(c('bitrate')));
    const w = num(c('size.width'));
    const h = num(c('size.height'));
    if (w !== undefined || h !== undefined) r.size = { width: w ?? -1, height: h ?? -1 };
    set(r, 'preset', c('preset').value);
    set(r, 'gop', num(c('gop')));
    set(r, 'codec', c('codec').value);
    if (row.dataset.fps) r.fps = Number(row.dataset.fps);
    return r;
  });
  const audio = {};
  set(audio, 'codec', $('audio_codec').value);
  set(audio, 'bitrate', num($('audio_bitrate')));
  const t = {};
  if (rungs.length) t.video = rungs;
  if (Object.keys(audio).length) t.audio = audio;
  if (Object.keys(t).length) b.transcoder = t; else delete b.transcoder;

  const dvr = { ...(original.dvr || {}) };
  set(dvr, 'expiration', num($('dvr_expiration')));
  set(dvr, 'storage_limit', num($('dvr_storage_limit')));
  if (dvr.expiration !== undefined || dvr.storage_limit !== undefined) b.dvr = dvr; else delete b.dvr;

  set(b, 'segment_duration', num($('segment_duration')));
  set(b, 'segment_count', num($('segment_count')));
  set(b, 'clients_timeout', num($('clients_timeout')));
  return b;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  clearErrors();
  const save = document.getElementById('save');
  const name = editing || document.getElementById('name').value.trim();
  if (!name) { showFieldError('name', 'name is required'); return; }
  let payload;
  try {
    payload = body();
  } catch (err) {
    if (err instanceof FormError) { showFieldError(err.field, err.message); return; }
    throw err;
  }
  save.disabled = true;
  try {
    if (!editing) {
      // PUT replaces silently, so a new stream must not reuse the name of an existing one.
      const { data } = await api('/api/v1/streams?' + new URLSearchParams({ q: name, limit: '1000' }));
      if (data.streams.some((s) => s.name === name)) {
        showFieldError('name', `a stream named '${name}' exists already; open it to edit it`);
        return;
      }
    }
    const headers = editing && etag ? { 'If-Match': etag } : {};
    await api(streamPath(name), { method: 'PUT', body: payload, headers });
    location.assign(streamPage(name));
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      showFieldError(null, `${err.message}. Reload the page to see the current version.`);
    } else if (err instanceof ApiError) {
      showFieldError(err.field, err.message);
    } else {
      showFieldError(null, 'The control plane cannot be reached; nothing was saved.');
    }
  } finally {
    save.disabled = false;
  }
});

startPage('streams').then(async (session) => {
  if (session.role !== 'admin') {
    showError('Your token has the viewer role: you can look at streams but not change them.');
  }
  const { data: srv } = await api('/api/v1/servers');
  if (editing) {
    document.getElementById('form-title').textContent = `Edit ${editing}`;
    document.title = `Edit ${editing} · Tributary`;
    try {
      const res = await api(streamPath(editing));
      original = res.data;
      etag = res.etag;
    } catch (err) {
      showError(err instanceof ApiError && err.status === 404 ? `There is no stream named ${editing}.` : err.message);
      return;
    }
  }
  build(editing ? original : {}, srv.servers);
  document.getElementById(editing ? 'title' : 'name').focus();
});
