// The same ARM API every client uses, with the token Swagger UI gets: the managed-identity endpoint (IMDS shape).
export const versions = { backup: '2025-02-01', compute: '2024-07-01' };

let token = null;
let expires = 0;

async function bearer() {
  if (!token || expires < Date.now() / 1000 + 60) {
    const r = await fetch('/metadata/identity/oauth2/token?resource=' + encodeURIComponent('https://management.core.windows.net/'),
      { headers: { Metadata: 'true' } });
    if (!r.ok) throw new Error(`token: ${r.status}`);
    const t = await r.json();
    token = t.access_token;
    expires = +t.expires_on;
  }
  return token;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

async function errorOf(r) {
  const text = await r.text();
  try {
    const body = JSON.parse(text);
    if (body.error) return new ApiError(r.status, body.error.code, body.error.message);
    if (body.title) return new ApiError(r.status, body.title, body.detail ?? '');
  } catch { /* not JSON */ }
  return new ApiError(r.status, String(r.status), text || r.statusText);
}

/** An ARM call: path with or without api-version; JSON in and out. */
export async function arm(method, path, body, version = versions.backup) {
  const url = path.includes('api-version=') ? path : path + (path.includes('?') ? '&' : '?') + 'api-version=' + version;
  const headers = { Authorization: 'Bearer ' + await bearer() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) throw await errorOf(r);
  return r.status === 204 || r.headers.get('content-length') === '0' ? null : r.json().catch(() => null);
}

/** Every page of an ARM list. */
export async function list(path, version) {
  const items = [];
  let page = await arm('GET', path, undefined, version);
  while (page) {
    items.push(...(page.value ?? []));
    page = page.nextLink ? await arm('GET', page.nextLink.replace(/^https?:\/\/[^/]+/, ''), undefined, version) : null;
  }
  return items;
}

/** The emulator's control routes (local callers only), with ProblemDetails errors. */
export async function control(method, path, body) {
  const r = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw await errorOf(r);
  return r.status === 204 ? null : r.json().catch(() => null);
}
