// Sign-in: trades an API token for the HttpOnly session cookie, then goes where the user was headed.
import { api, ApiError } from './app.js';

/** Only a path on this site: never an absolute or protocol-relative URL (open redirect). */
function nextPath() {
  const next = new URLSearchParams(location.search).get('next') || '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

const form = document.getElementById('login');
const input = document.getElementById('token');
const error = document.getElementById('token-error');

function showError(message) {
  error.textContent = message;
  error.hidden = !message;
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = input.value.trim();
  if (!token) {
    showError('Enter an API token.');
    input.focus();
    return;
  }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    await api('/ui/session', { method: 'POST', body: { token } });
    input.value = '';
    location.replace(nextPath());
  } catch (err) {
    showError(err instanceof ApiError ? err.message : 'The control plane cannot be reached.');
    input.focus();
  } finally {
    button.disabled = false;
  }
});

// Already signed in (e.g. the back button): go on.
api('/ui/session').then(({ data }) => {
  if (data && data.authenticated) location.replace(nextPath());
}).catch(() => {});
input.focus();
