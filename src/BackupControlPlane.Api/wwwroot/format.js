// Times as a person reads them: relative, with the absolute time beside it.
const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function relative(iso) {
  if (!iso) return '';
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 45) return rtf.format(Math.round(seconds), 'second');
  if (abs < 2700) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 64800) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86400), 'day');
}

export function absolute(iso) {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '';
}

/** A time cell: relative, absolute underneath, the exact value on hover. */
export function time(iso) {
  // Azure writes 2001-01-01 (or 0001-01-01) for "never".
  if (!iso || new Date(iso).getUTCFullYear() <= 2001) return el('span', { class: 'muted' }, 'never');
  return el('span', { class: 'time', title: iso }, el('span', {}, relative(iso)), el('small', {}, absolute(iso)));
}

/** "PT1M2.5S" or "00:01:02.5" as "1 m 3 s". */
export function duration(text) {
  if (!text) return '';
  let seconds = 0;
  const iso = /^P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(text);
  const span = /^(?:(\d+)\.)?(\d+):(\d+):([\d.]+)$/.exec(text);
  if (iso) seconds = (+iso[1] || 0) * 86400 + (+iso[2] || 0) * 3600 + (+iso[3] || 0) * 60 + (+iso[4] || 0);
  else if (span) seconds = (+span[1] || 0) * 86400 + +span[2] * 3600 + +span[3] * 60 + +span[4];
  else return text;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} m ${Math.round(seconds % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} m`;
}

/** A status as a coloured badge. */
export function badge(text) {
  const t = (text ?? '').toLowerCase();
  const tone = /fail|error|unhealthy|not ready|stopped|cancel/.test(t) ? 'bad'
    : /progress|pending|warning|irpending|late|offline|silent|crash/.test(t) ? 'busy'
    : /complet|succe|healthy|passed|protected|ready|^ok$|valid/.test(t) ? 'good' : 'neutral';
  return el('span', { class: `badge ${tone}` }, text || '—');
}

/** document.createElement with attributes, listeners (on*) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

/** Resource id parts: "/subscriptions/s/resourceGroups/rg/…" → { subscription, resourceGroup, name }. */
export function idParts(id) {
  const p = id.split('/');
  const at = (key) => { const i = p.findIndex((x) => x.toLowerCase() === key.toLowerCase()); return i >= 0 ? p[i + 1] : undefined; };
  return { subscription: at('subscriptions'), resourceGroup: at('resourceGroups'), name: p[p.length - 1] };
}
