// node bench/msisdn-parse.js [--rounds 7] [--n 20000]
// Cost of parsing and validating one MSISDN with libphonenumber-js, per metadata set
// (min: lengths only; mobile: mobile patterns only; max: every pattern), in alternated
// rounds on the same distinct numbers (no cache), plus the heap each set's metadata adds.
// Prints the median ns per number of each set and its ratio to `min`. CPU only, no I/O.
import { performance } from 'node:perf_hooks';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const rounds = arg('rounds', 7);
const n = arg('n', 20000);

function heapAfter(load) {
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  return load().then((m) => {
    globalThis.gc?.();
    return { m, heap: process.memoryUsage().heapUsed - before };
  });
}

const sets = {};
for (const name of ['min', 'mobile', 'max']) {
  const { m, heap } = await heapAfter(() => import(`libphonenumber-js/${name}`));
  sets[name] = { parse: m.parsePhoneNumberFromString, heap, ns: [] };
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

let sink = 0;
function run(parse) {
  const t0 = performance.now();
  for (const s of numbers) {
    const p = parse(s, { defaultCallingCode: '254' });
    if (p !== undefined && p.isValid()) sink++;
  }
  return ((performance.now() - t0) * 1e6) / numbers.length;
}
for (const s of Object.values(sets)) run(s.parse); // warm-up
for (let r = 0; r < rounds; r++) for (const s of Object.values(sets)) s.ns.push(run(s.parse));

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = median(sets.min.ns);
for (const [name, s] of Object.entries(sets)) {
  const m = median(s.ns);
  console.log(`${name.padEnd(7)} ${m.toFixed(0).padStart(6)} ns/number (median of ${rounds}), ${(m / base).toFixed(2)}× min, metadata heap ≈ ${(s.heap / 1024).toFixed(0)} KiB`);
}
console.log(`valid: ${sink}`);
