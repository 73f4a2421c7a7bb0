// node --experimental-websocket bench/observability-cost.js [--rounds 5] [--duration 8] [--connections 64]
// What the access log and a dashboard viewer cost the check-in path: POST /v1/checkins
// throughput measured alternately (A B B A …) in the same run on
//   - access log:  two gateways alike but for `log.accessLog` (off / on), loaded in turn;
//   - viewer:      one gateway, with no WebSocket viewer / with one authenticated viewer
//                  reading the once-a-second feed.
// Prints every round and the medians and ratios; writes bench/results/observability-<ts>.json.
// Wrap it in `flock /tmp/hopgate-bench.lock` (shared box). Every load is bounded in time and
// targets loopback.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from './lib/load.js';
import { ROOT, startBenchGateway } from './lib/processes.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const rounds = Number(arg('rounds', '5'));
const durationSec = Number(arg('duration', '8'));
const connections = Number(arg('connections', '64'));
if (typeof WebSocket !== 'function') throw new Error('run with node --experimental-websocket (Node 20) for the viewer');

const VENUES = 10_000;
let n = Math.floor(Math.random() * 1e6) * 64;
function body() {
  n++;
  return `{"msisdn":"+2547${String(10_000_000 + (n % 89_999_999)).slice(-8)}","venueId":"${100_000 + (n % VENUES)}","channel":"app"}`;
}

/** CPU seconds (user + system) the gateway process used so far (/proc/<pid>/stat, USER_HZ 100). */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * One bounded load. Besides throughput, the gateway's CPU per request: on a box shared with
 * other work, throughput swings with the neighbours while CPU per request barely does.
 */
async function load(gw) {
  const headers = { 'content-type': 'application/json', 'x-api-key': gw.clientKey };
  const cpu0 = cpuSeconds(gw.pid);
  const r = await runLoad({ url: `${gw.url}/v1/checkins`, connections, durationSec, headers, setupRequest: (req) => ({ ...req, body: body() }) });
  r.gatewayCpuUsPerReq = Math.round(((cpuSeconds(gw.pid) - cpu0) * 1e6) / Math.max(1, r.requests));
  if (r.errors + r.timeouts + r.non2xx > 0) throw new Error(`errors under load: ${JSON.stringify(r)}`);
  return r;
}

/** An authenticated dashboard viewer that reads (and parses) every snapshot. */
function viewer(gw) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/dashboard/ws`);
    const seen = { snapshots: 0, close: () => ws.close() };
    ws.onopen = () => ws.send(JSON.stringify({ key: gw.adminKey }));
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'hello') resolve(seen);
      if (m.type === 'snapshot') seen.snapshots++;
    };
    ws.onerror = () => reject(new Error('viewer could not connect'));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'hopgate-obs-bench-'));
const accessLog = join(dir, 'access.log');
const base = { pool: { enabled: false } };
const plain = await startBenchGateway({ name: 'obs_plain', venues: VENUES, config: base });
const logged = await startBenchGateway({ name: 'obs_access', venues: VENUES, config: { ...base, log: { level: 'warn', accessLog } } });
const result = {
  startedAt: new Date().toISOString(),
  loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
  rounds,
  durationSec,
  connections,
  accessLog: { off: [], on: [] },
  viewer: { none: [], one: [] },
  cpuUsPerReq: { accessLog: { off: [], on: [] }, viewer: { none: [], one: [] } },
};
try {
  for (const gw of [plain, logged]) await runLoad({ url: `${gw.url}/v1/checkins`, connections, durationSec: 2, headers: { 'content-type': 'application/json', 'x-api-key': gw.clientKey }, setupRequest: (req) => ({ ...req, body: body() }) });
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const side of order) {
      const x = await load(side === 'on' ? logged : plain);
      result.accessLog[side].push(x.throughputPerSec);
      result.cpuUsPerReq.accessLog[side].push(x.gatewayCpuUsPerReq);
      console.log(`access log ${side} round ${r + 1}: ${x.throughputPerSec}/s p99 ${x.latencyMs.p99} ms, gateway ${x.gatewayCpuUsPerReq} µs CPU/req`);
    }
  }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['none', 'one'] : ['one', 'none'];
    for (const side of order) {
      const v = side === 'one' ? await viewer(plain) : null;
      const x = await load(plain);
      if (v) {
        v.close();
        if (v.snapshots < durationSec - 2) throw new Error(`the viewer saw only ${v.snapshots} snapshots in ${durationSec} s`);
      }
      result.viewer[side].push(x.throughputPerSec);
      result.cpuUsPerReq.viewer[side].push(x.gatewayCpuUsPerReq);
      console.log(`viewer ${side} round ${r + 1}: ${x.throughputPerSec}/s p99 ${x.latencyMs.p99} ms, gateway ${x.gatewayCpuUsPerReq} µs CPU/req${v ? ` (${v.snapshots} snapshots)` : ''}`);
    }
  }
  // What a viewer costs by itself: the idle gateway's CPU per second with and without one
  // (the feed's work once a second: registry reads, one MySQL query, one publish).
  result.idleCpuMsPerSec = { none: [], one: [] };
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? ['none', 'one'] : ['one', 'none']) {
      const v = side === 'one' ? await viewer(plain) : null;
      const cpu0 = cpuSeconds(plain.pid);
      await new Promise((res) => setTimeout(res, 5000));
      const ms = ((cpuSeconds(plain.pid) - cpu0) * 1000) / 5;
      v?.close();
      result.idleCpuMsPerSec[side].push(Math.round(ms * 10) / 10);
      console.log(`idle, viewer ${side} round ${r + 1}: gateway ${ms.toFixed(1)} ms CPU per second`);
    }
  }
  const lines = readFileSync(accessLog, 'utf8').split('\n').length - 1;
  const m = (xs) => median(xs);
  // Each round ran both sides back to back: the median of the rounds' ratios cancels the
  // drift of a shared box better than the ratio of the medians.
  const paired = (a, b) => Math.round(median(a.map((x, i) => x / b[i])) * 1000) / 1000;
  result.summary = {
    accessLogOffMedian: m(result.accessLog.off),
    accessLogOnMedian: m(result.accessLog.on),
    accessLogRatio: Math.round((m(result.accessLog.on) / m(result.accessLog.off)) * 1000) / 1000,
    accessLogLinesWritten: lines,
    viewerNoneMedian: m(result.viewer.none),
    viewerOneMedian: m(result.viewer.one),
    viewerRatio: Math.round((m(result.viewer.one) / m(result.viewer.none)) * 1000) / 1000,
    accessLogPairedRatio: paired(result.accessLog.on, result.accessLog.off),
    viewerPairedRatio: paired(result.viewer.one, result.viewer.none),
    cpuUsPerReqAccessLogOff: m(result.cpuUsPerReq.accessLog.off),
    cpuUsPerReqAccessLogOn: m(result.cpuUsPerReq.accessLog.on),
    cpuUsPerReqViewerNone: m(result.cpuUsPerReq.viewer.none),
    cpuUsPerReqViewerOne: m(result.cpuUsPerReq.viewer.one),
    idleCpuMsPerSecViewerNone: median(result.idleCpuMsPerSec.none),
    idleCpuMsPerSecViewerOne: median(result.idleCpuMsPerSec.one),
    loadavgAtEnd: readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
  };
  console.log(JSON.stringify(result.summary, null, 2));
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', `observability-${result.startedAt.replace(/[:.]/g, '-')}.json`), JSON.stringify(result, null, 2) + '\n');
} finally {
  await plain.stop();
  await logged.stop();
  rmSync(dir, { recursive: true, force: true });
}
