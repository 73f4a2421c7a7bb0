// node bench/cpu-per-request.js [--only echo,ceiling,api,apikey,dial,twohop] [--duration 8] [--rate N] [--cpu-prof DIR]
// One gateway serves each load in turn (2 s warm-up, then --duration s, 64 connections) and
// this prints, per load: req/s, client p50/p99, CPU µs per request of the gateway, mariadbd,
// redis-server and this load generator (/proc/<pid>/stat utime+stime, and
// process.cpuUsage(); `.sys` the kernel part), of the whole box (/proc/stat: everything but
// idle and iowait, which includes softirq time that no process is charged for, and
// anything else running), the gateway's read/write system calls per request
// (/proc/<pid>/io), Redis round trips per request (INFO stats total_reads_processed),
// writer batches (rows, ms) and failed batches from /metrics. mariadbd and redis-server
// are shared with anything else running on the box: read their figures with `uptime`.
// `echo` is the floor: the bare uWS echo server (bench/echo-server.js) with the API's request
// bodies, its pid in the `gateway` column — what HTTP and the load generator cost alone.
// `ceiling` likewise: the durable-write ceiling (bench/baselines/durable-ceiling.js), one
// group-committed row per request — what durability alone costs.
// --rate offers a fixed rate (requests/s, all connections together) instead of as many as
// the box takes: CPU per request at a fixed rate compares builds on a busy box.
// --attach 'CMD' runs CMD through the shell during each measured load, `{pid}` replaced by
// the gateway's pid (e.g. `--attach 'perf trace -s -p {pid}'`), and stops it after the load.
// Needs `npm run build` first. Every load is bounded in time and targets loopback.
import { execSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runLoad } from './lib/load.js';
import { spawnListening, startBenchGateway } from './lib/processes.js';
import { startDurableCeiling } from './lib/systems.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const only = arg('only', 'api,dial,twohop').split(',');
const durationSec = Number(arg('duration', '8'));
const profDir = arg('cpu-prof', '');
const rate = Number(arg('rate', '0')) || undefined;
const attach = arg('attach', '');
const VENUES = 10_000;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const gw = await startBenchGateway({
  name: 'cpu',
  venues: VENUES,
  config: { ussd: { deadlineMs: 5000 }, pool: { enabled: false } },
  nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
});
const pidOf = (name) => Number(execSync(`pgrep -x ${name} | head -1`).toString().trim() || 0);
const pids = { gateway: gw.pid, mysqld: pidOf('mariadbd') || pidOf('mysqld'), redis: pidOf('redis-server') };
const TICKS = 100; // USER_HZ

function cpuSeconds() {
  const out = {};
  for (const [k, pid] of Object.entries(pids)) {
    if (!pid) continue;
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    out[k] = (Number(f[11]) + Number(f[12])) / TICKS;
    out[`${k}.sys`] = Number(f[12]) / TICKS;
  }
  return out;
}
/** The whole box from /proc/stat: busy (everything but idle and iowait) and total, in s. */
function boxSeconds() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - f[3] - f[4]) / TICKS, total: total / TICKS, softirq: f[6] / TICKS };
}
/** read()/write()-family system calls of the gateway (all threads): socket writes show here. */
function gatewaySyscalls() {
  const t = readFileSync(`/proc/${pids.gateway}/io`, 'utf8');
  return { r: Number(/syscr: (\d+)/.exec(t)[1]), w: Number(/syscw: (\d+)/.exec(t)[1]) };
}
function redisReads() {
  const t = execSync('redis-cli INFO stats').toString();
  return Number(/total_reads_processed:(\d+)/.exec(t)?.[1] ?? 0);
}
function sum(text, re) {
  let s = 0;
  for (const m of text.matchAll(re)) s += Number(m[1]);
  return s;
}
const msisdn = (n) => `+2547${String(10_000_000 + (n % 89_999_999)).slice(-8)}`;
const phone = (n) => encodeURIComponent(msisdn(n));
let i = Math.floor(Math.random() * 1e6) * 64;
const apiHeaders = { 'content-type': 'application/json', 'x-api-key': gw.clientKey };
const apiBody = (n) => `{"msisdn":"${msisdn(n)}","venueId":"${100_000 + (n % VENUES)}","channel":"app"}`;
const echo = only.includes('echo') ? spawnListening([new URL('./echo-server.js', import.meta.url).pathname, '0']) : null;
const ceiling = only.includes('ceiling') ? await startDurableCeiling() : null;
const LOADS = {
  ceiling: { url: `http://127.0.0.1:${ceiling?.port ?? 0}/`, pid: ceiling?.pids()[0], headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: apiBody(i++) }) },
  echo: { url: `http://127.0.0.1:${echo ? await echo.port : 0}/echo`, pid: echo?.proc.pid, headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: apiBody(i++) }) },
  api: { url: `${gw.url}/v1/checkins`, headers: apiHeaders, setupRequest: (req) => ({ ...req, body: apiBody(i++) }) },
  apikey: {
    url: `${gw.url}/v1/checkins`,
    headers: apiHeaders,
    setupRequest: (req) => {
      const n = i++;
      return { ...req, headers: { ...req.headers, 'idempotency-key': `cpu-${n}:0:1` }, body: apiBody(n) };
    },
  },
  dial: {
    url: `${gw.url}/ussd/africastalking`,
    headers: FORM,
    setupRequest: (req) => {
      const n = i++;
      return { ...req, body: `sessionId=ATUid_c${n}&phoneNumber=${phone(n)}&serviceCode=*384*${100_000 + (n % VENUES)}%23&text=&networkCode=63902` };
    },
  },
  twohop: {
    url: `${gw.url}/ussd/africastalking`,
    headers: FORM,
    setupRequest: (req, c) => {
      if (c.second) {
        c.second = false;
        return { ...req, body: `sessionId=${c.sid}&phoneNumber=${c.phone}&serviceCode=*384%23&text=2` };
      }
      const n = i++;
      Object.assign(c, { sid: `ATUid_t${n}`, phone: phone(n), second: true });
      return { ...req, body: `sessionId=${c.sid}&phoneNumber=${c.phone}&serviceCode=*384%23&text=` };
    },
  },
};

try {
  for (const name of only) {
    const load = LOADS[name];
    if (!load) throw new Error(`unknown load ${name} (echo, ceiling, api, apikey, dial, twohop)`);
    pids.gateway = load.pid ?? gw.pid;
    await runLoad({ ...load, connections: 64, durationSec: 2 });
    const m0 = await gw.metrics();
    const r0 = redisReads();
    const c0 = cpuSeconds();
    const s0 = gatewaySyscalls();
    const b0 = boxSeconds();
    const a0 = process.cpuUsage();
    const attached = attach ? spawn('sh', ['-c', attach.replaceAll('{pid}', String(gw.pid))], { stdio: 'inherit', detached: true }) : null;
    const r = await runLoad({ ...load, connections: 64, durationSec, overallRate: rate });
    if (attached) {
      process.kill(-attached.pid, 'SIGINT');
      await new Promise((resolve) => attached.once('exit', resolve));
    }
    const a1 = process.cpuUsage(a0);
    const c1 = cpuSeconds();
    const s1 = gatewaySyscalls();
    const b1 = boxSeconds();
    const r1 = redisReads();
    const m1 = await gw.metrics();
    const d = (re) => sum(m1, re) - sum(m0, re);
    const batches = d(/hopgate_writer_batch_rows_count\S* (\d+)/g);
    const cpuUs = {};
    for (const k of Object.keys(c0)) cpuUs[k] = Math.round(((c1[k] - c0[k]) * 1e6) / r.requests);
    cpuUs.loadgen = Math.round((a1.user + a1.system) / r.requests);
    cpuUs.box = Math.round(((b1.busy - b0.busy) * 1e6) / r.requests);
    cpuUs['box.softirq'] = Math.round(((b1.softirq - b0.softirq) * 1e6) / r.requests);
    const row = {
      load: name,
      'req/s': r.throughputPerSec,
      'p50/p99 ms': `${r.latencyMs.p50}/${r.latencyMs.p99}`,
      errors: r.errors + r.timeouts + r.non2xx,
      'CPU µs/req': cpuUs,
      'gateway read/write syscalls/req': `${((s1.r - s0.r) / r.requests).toFixed(2)}/${((s1.w - s0.w) / r.requests).toFixed(2)}`,
      'Redis reads/req': +((r1 - r0) / r.requests).toFixed(3),
      'batch rows/ms': batches ? `${(d(/hopgate_writer_batch_rows_sum\S* (\d+)/g) / batches).toFixed(1)}/${((d(/hopgate_writer_batch_seconds_sum\S* ([\d.e+-]+)/g) * 1000) / batches).toFixed(2)}` : '—',
      'failed batches': d(/hopgate_writer_failed_batches_total\S* (\d+)/g),
      'box busy': `${Math.round((100 * (b1.busy - b0.busy)) / (b1.total - b0.total))} %`,
      loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
    };
    console.log(JSON.stringify(row));
  }
  const warnings = gw.output().split('\n').filter((l) => /"level":(40|50)/.test(l));
  console.log(`gateway warnings/errors logged: ${warnings.length}`);
  for (const w of warnings.slice(0, 3)) console.log(w.slice(0, 400));
} finally {
  echo?.proc.kill('SIGKILL');
  await ceiling?.stop();
  await gw.stop();
}
process.exit(0);
