// node bench/msisdn-parse.js [--rounds 7] [--n 5000]   (after `npm run build`)
// Cost of parsing and validating one MSISDN with libphonenumber-js, per metadata set
// (min: lengths only; mobile: mobile patterns only; max: every pattern), in alternated
// rounds on the same distinct numbers (no cache), beside the hand-written length rule the
// gateway used before (`old-rule`) and hopgate's normaliseMsisdn answering from its cache
// (`cached`: every number seen before, as a session's later hops are). Prints the median ns
// per number, its ratio to `min`, and the size of each metadata set. CPU only, no I/O.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const rounds = arg('rounds', 7);
const n = arg('n', 5000); // with their E.164 forms, within the cache (20,000 numbers)

const sets = {};
for (const name of ['min', 'mobile', 'max']) {
  const m = await import(`libphonenumber-js/${name}`);
  const bytes = statSync(fileURLToPath(import.meta.resolve(`libphonenumber-js/metadata.${name}.json`))).size;
  sets[name] = { parse: m.parsePhoneNumberFromString, bytes, ns: [] };
}

// What telco gateways send: international with and without '+', national with trunk 0.
const forms = [
  (i) => `+2547${String(10000000 + i).slice(-8)}`,
  (i) => `2547${String(20000000 + i).slice(-8)}`,
  (i) => `07${String(30000000 + i).slice(-8)}`,
  (i) => `23324${String(1000000 + i).slice(-7)}`,
  (i) => `9199${String(10000000 + i).slice(-8)}`,
];
const numbers = Array.from({ length: n }, (_, i) => forms[i % forms.length](i));

// The rule before the numbering plans (src/core/msisdn.ts until the plans came), kept here
// as the baseline: it returned a PhoneNumber-like object so `run` measures it the same way.
function oldRule(raw, { defaultCallingCode: cc }) {
  let s = String(raw).trim();
  if (s.length === 0 || s.length > 32) return undefined;
  s = s.replace(/[\s\-.()]/g, '');
  let international;
  if (s.startsWith('+')) {
    s = s.slice(1);
    international = true;
  } else if (s.startsWith('00')) {
    s = s.slice(2);
    international = true;
  } else {
    international = s.startsWith(cc) && s.length > 10;
  }
  if (!/^[0-9]+$/.test(s)) return undefined;
  if (!international) s = cc + s.replace(/^0+/, '');
  const ok = !s.startsWith('0') && s.length >= 8 && s.length <= 15;
  return { isValid: () => ok };
}
sets['old-rule'] = { parse: oldRule, bytes: 0, ns: [] };
const { normaliseMsisdn } = await import('../dist/core/msisdn.js');
const cachedParse = (s, { defaultCallingCode: cc }) => {
  const r = normaliseMsisdn(s, cc);
  return { isValid: () => r.ok };
};
sets.cached = { parse: cachedParse, bytes: 0, ns: [] };

let sink = 0;
function run(parse) {
  const t0 = performance.now();
  for (const s of numbers) {
    const p = parse(s, { defaultCallingCode: '254' });
    if (p !== undefined && p.isValid()) sink++;
  }
  return ((performance.now() - t0) * 1e6) / numbers.length;
}
for (const s of Object.values(sets)) run(s.parse); // warm-up (and fills hopgate's cache)
for (let r = 0; r < rounds; r++) for (const s of Object.values(sets)) s.ns.push(run(s.parse));

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = median(sets.min.ns);
for (const [name, s] of Object.entries(sets)) {
  const m = median(s.ns);
  const heap = s.bytes > 0 ? `, metadata ${(s.bytes / 1024).toFixed(0)} KiB of JSON` : '';
  console.log(`${name.padEnd(8)} ${m.toFixed(0).padStart(6)} ns/number (median of ${rounds}), ${(m / base).toFixed(2)}× min${heap}`);
}
console.log(`valid: ${sink}`);
