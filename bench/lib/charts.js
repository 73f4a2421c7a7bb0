// Hand-written SVG charts for the benchmark report (no chart library, no external service):
// latency percentiles against offered rate, and throughput bars.
const W = 760;
const FONT = 'font-family="sans-serif" font-size="12"';
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Latency (log scale) against offered rate. `series`: [{ label, color, dash, points:
 * [{ rate, ms, ok }] }]; a point the server did not keep up with (`ok` false) is hollow.
 */
export function latencyChart({ title, series, note = '' }) {
  const H = 420;
  const m = { l: 64, r: 190, t: 36, b: 52 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const all = series.flatMap((s) => s.points);
  const maxRate = Math.max(1, ...all.map((p) => p.rate));
  const lo = 0.1;
  const hi = Math.max(10, ...all.map((p) => p.ms));
  const decades = [];
  for (let d = lo; decades.length < 3 || decades[decades.length - 1] < hi; d *= 10) decades.push(Math.round(d * 10) / 10);
  const top = decades[decades.length - 1];
  const x = (rate) => m.l + (rate / (maxRate * 1.05)) * pw;
  const y = (ms) => m.t + ph - ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(top) - Math.log10(lo))) * ph;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT}>`, `<rect width="${W}" height="${H}" fill="white"/>`];
  out.push(`<text x="${m.l}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (const d of decades) {
    out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y(d)}" y2="${y(d)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${y(d) + 4}" text-anchor="end">${d >= 1000 ? `${d / 1000} s` : `${d} ms`}</text>`);
  }
  const step = niceStep(maxRate / 5);
  for (let r = 0; r <= maxRate * 1.05; r += step) {
    out.push(`<line x1="${x(r)}" x2="${x(r)}" y1="${m.t}" y2="${m.t + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x(r)}" y="${m.t + ph + 16}" text-anchor="middle">${r.toLocaleString('en-US')}</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="${H - 22}" text-anchor="middle">offered rate, requests/s (open loop; latency from each request's intended send time)</text>`);
  if (note) out.push(`<text x="${m.l + pw / 2}" y="${H - 6}" text-anchor="middle" fill="#555">${esc(note)}</text>`);
  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.rate - b.rate);
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''} points="${pts.map((p) => `${x(p.rate).toFixed(1)},${y(p.ms).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${x(p.rate).toFixed(1)}" cy="${y(p.ms).toFixed(1)}" r="3.5" stroke="${s.color}" stroke-width="1.5" fill="${p.ok ? s.color : 'white'}"/>`);
    const ly = m.t + 10 + i * 20;
    out.push(`<line x1="${m.l + pw + 12}" x2="${m.l + pw + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${m.l + pw + 46}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  const ly = m.t + 10 + series.length * 20 + 10;
  out.push(`<circle cx="${m.l + pw + 26}" cy="${ly}" r="3.5" stroke="#333" fill="white"/><text x="${m.l + pw + 46}" y="${ly + 4}">did not keep up</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Horizontal bars: [{ label, value, color, note }], values in `unit`. */
export function barChart({ title, bars, unit }) {
  const rowH = 30;
  const m = { l: 300, r: 230, t: 40, b: 20 };
  const H = m.t + m.b + bars.length * rowH;
  const pw = W - m.l - m.r;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT}>`, `<rect width="${W}" height="${H}" fill="white"/>`];
  out.push(`<text x="10" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`);
  bars.forEach((b, i) => {
    const yy = m.t + i * rowH;
    const w = (b.value / max) * pw;
    out.push(`<text x="${m.l - 8}" y="${yy + 19}" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<rect x="${m.l}" y="${yy + 5}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${b.color}"/>`);
    out.push(`<text x="${m.l + w + 6}" y="${yy + 19}">${Math.round(b.value).toLocaleString('en-US')} ${esc(unit)}${b.note ? ` · ${esc(b.note)}` : ''}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= raw) return k * p;
  return 10 * p;
}
