// Replication (issue 11): (a) POST /v1/checkins with two peers configured vs none, alternated
// rounds in one run — peers live on this box, and peers configured but unreachable; (b)
// replication throughput and commit → applied-at-peer lag p99 while three sites each take
// check-ins at a steady rate; (c) time to converge after one site is cut off for 20 s.
// Options: --sync-rounds 3, --sync-rate 300 (check-ins/s per site in b and c),
// --sync-partition-sec 20. Every load is bounded in time and targets loopback.
import mysql from 'mysql2/promise';
import { freePort, linkProxy } from '../lib/link-proxy.js';
import { runLoad } from '../lib/load.js';
import { startBenchGateway } from '../lib/processes.js';

export const name = 'sync';
export const title = 'Replication between sites (src/sync/)';

function arg(n, fallback) {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const ROUNDS = Number(arg('sync-rounds', '3'));
const RATE = Number(arg('sync-rate', '300'));
const PARTITION_SEC = Number(arg('sync-partition-sec', '20'));
const VENUES = 1000;
const secret = (a, b) => `bench-secret-${[a, b].sort().join('-')}-0123456789abcdef0123`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function body(n) {
  return `{"msisdn":"+2547${String(10_000_000 + (n % 89_999_999)).slice(-8)}","venueId":"${100_000 + (n % VENUES)}","channel":"app"}`;
}

/**
 * Sites of one deployment, full mesh, on ports chosen first. `via(from, to, port)` may put a
 * proxy on a link. `sync` is the sync config (defaults when empty).
 */
async function startMesh(ids, { via, sync = {}, unreachablePeers = false } = {}) {
  const ports = await Promise.all(ids.map(() => freePort()));
  const urls = await Promise.all(ids.map((from, i) => Promise.all(ids.map(async (to, j) => (j === i ? null : via ? `http://127.0.0.1:${await via(from, to, ports[j])}` : `http://127.0.0.1:${ports[j]}`)))));
  return Promise.all(
    ids.map((id, i) =>
      startBenchGateway({
        name: `sync_${id}`,
        venues: VENUES,
        config: {
          siteId: id,
          siteNumber: 100 + i,
          http: { host: '127.0.0.1', port: ports[i] },
          pool: { enabled: false },
          sync,
          peers: unreachablePeers
            ? ['zz1', 'zz2'].map((p) => ({ siteId: p, url: 'http://127.0.0.1:9', secret: secret(id, p) }))
            : ids.flatMap((p, j) => (j === i ? [] : [{ siteId: p, url: urls[i][j], secret: secret(id, p) }])),
        },
      }),
    ),
  );
}

async function checkinLoad(gw, { durationSec, connections, overallRate, offset }) {
  let i = offset;
  return runLoad({
    url: `${gw.url}/v1/checkins`,
    connections,
    durationSec,
    headers: { 'content-type': 'application/json', 'x-api-key': gw.clientKey },
    setupRequest: (req) => ({ ...req, body: body(i++) }),
    ...(overallRate ? { overallRate } : {}),
  });
}

async function digest(gw) {
  const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', password: '', database: gw.database });
  try {
    const [rows] = await c.query('SELECT COUNT(*) n, BIT_XOR(id) x FROM checkins');
    return `${rows[0].n}:${rows[0].x}`;
  } finally {
    await c.end();
  }
}

/** Sum over label sets of a metric's samples (optionally only lines containing `filter`). */
function metricSum(text, metric, filter = '') {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${metric}{`) && line.includes(filter)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** Cumulative apply-lag buckets (le → count), summed over origins. */
function lagBuckets(text) {
  const b = new Map();
  for (const line of text.split('\n')) {
    const m = /^hopgate_sync_apply_lag_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)/.exec(line);
    if (m) b.set(m[1], (b.get(m[1]) ?? 0) + Number(m[2]));
  }
  return b;
}

/** A quantile of the lag observed between two scrapes, interpolated within its bucket. */
function lagQuantile(before, after, q) {
  const les = [...after.keys()].filter((k) => k !== '+Inf').map(Number).sort((a, b) => a - b);
  const delta = (le) => (after.get(String(le)) ?? 0) - (before.get(String(le)) ?? 0);
  const total = (after.get('+Inf') ?? 0) - (before.get('+Inf') ?? 0);
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const le of les) {
    const c = delta(le);
    if (c >= rank) return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, c - prevCount);
    prevLe = le;
    prevCount = c;
  }
  return Infinity;
}

async function caughtUp(sites, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const d = await Promise.all(sites.map(digest));
    if (d.every((x) => x === d[0])) return true;
    await sleep(100);
  }
  return false;
}

export async function run({ durationSec, connections }) {
  const result = { rounds: ROUNDS, ratePerSite: RATE, partitionSec: PARTITION_SEC };
  // (a) Check-in throughput: no peers / two unreachable peers / two live peers (full mesh of
  // three, the peers' apply competing for the same 2 cores), alternated per round.
  const [none] = await startMesh(['solo']);
  const [unreach] = await startMesh(['lone'], { unreachablePeers: true });
  const live = await startMesh(['la', 'lb', 'lc']);
  const figures = { none: [], unreachable: [], live: [] };
  try {
    const targets = { none, unreachable: unreach, live: live[0] };
    let offset = Math.floor(Math.random() * 1e6) * 64;
    for (const k of Object.keys(targets)) await checkinLoad(targets[k], { durationSec: 2, connections, offset: (offset += 1e6) }); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      const order = ['none', 'unreachable', 'live'];
      for (let s = 0; s < r % 3; s++) order.push(order.shift());
      for (const k of order) figures[k].push((await checkinLoad(targets[k], { durationSec, connections, offset: (offset += 1e6) })).throughputPerSec);
    }
    result.checkinThroughput = {
      perRound: figures,
      medians: { none: median(figures.none), unreachable: median(figures.unreachable), live: median(figures.live) },
      ratioUnreachable: Math.round((median(figures.unreachable) / median(figures.none)) * 1000) / 1000,
      ratioLive: Math.round((median(figures.live) / median(figures.none)) * 1000) / 1000,
    };
    await caughtUp(live, 120_000);

    // (b) Replication at a steady rate: every site takes RATE check-ins/s for durationSec.
    const before = await Promise.all(live.map((s) => s.metrics()));
    const t0 = Date.now();
    const loads = await Promise.all(live.map((s, i) => checkinLoad(s, { durationSec, connections: 16, overallRate: RATE, offset: (offset += 1e6) + i * 1e5 })));
    const loadEnd = Date.now();
    const converged = await caughtUp(live, 120_000);
    const t1 = Date.now();
    const after = await Promise.all(live.map((s) => s.metrics()));
    const lagB = before.map(lagBuckets).reduce(mergeBuckets, new Map());
    const lagA = after.map(lagBuckets).reduce(mergeBuckets, new Map());
    const applied = after.reduce((n, m) => n + metricSum(m, 'hopgate_sync_apply_lag_seconds_count'), 0) - before.reduce((n, m) => n + metricSum(m, 'hopgate_sync_apply_lag_seconds_count'), 0);
    result.steady = {
      acceptedPerSite: loads.map((l) => l.requests),
      errors: loads.reduce((n, l) => n + l.errors + l.timeouts + l.non2xx, 0),
      replicatedCheckIns: applied,
      replicatedPerSec: Math.round(applied / ((loadEnd - t0) / 1000)),
      drainAfterLoadMs: t1 - loadEnd,
      converged,
      lagP50Sec: round3(lagQuantile(lagB, lagA, 0.5)),
      lagP99Sec: round3(lagQuantile(lagB, lagA, 0.99)),
    };
  } finally {
    await Promise.all([none, unreach, ...live].map((g) => g.stop()));
  }

  // (c) Partition: site pc cut off both ways for PARTITION_SEC under load, default sync config.
  const proxies = [];
  const mesh = await startMesh(['pa', 'pb', 'pc'], {
    via: async (from, to, port) => {
      const p = await linkProxy(port);
      if (from === 'pc' || to === 'pc') proxies.push(p);
      return p.port;
    },
  });
  try {
    const loading = Promise.all(mesh.map((s, i) => checkinLoad(s, { durationSec: PARTITION_SEC + 2, connections: 16, overallRate: RATE, offset: 7e8 + i * 1e7 })));
    await sleep(2000);
    for (const p of proxies) p.cut();
    await sleep(PARTITION_SEC * 1000);
    for (const p of proxies) p.heal();
    const healedAt = Date.now();
    const loads = await loading;
    const converged = await caughtUp(mesh, 120_000);
    const count = Number((await digest(mesh[0])).split(':')[0]);
    result.partition = {
      errors: loads.reduce((n, l) => n + l.errors + l.timeouts + l.non2xx, 0),
      checkIns: count,
      converged,
      convergeAfterHealMs: Date.now() - healedAt,
    };
  } finally {
    await Promise.all(mesh.map((g) => g.stop()));
    await Promise.all(proxies.map((p) => p.close()));
  }

  const t = result.checkinThroughput;
  return {
    result,
    rows: [
      { figure: 'POST /v1/checkins req/s, no peers (median)', value: t.medians.none, 'every round': t.perRound.none.join(' / '), target: '—' },
      { figure: 'req/s, two peers configured, unreachable', value: t.medians.unreachable, 'every round': t.perRound.unreachable.join(' / '), target: `ratio ${t.ratioUnreachable} (≥ 0.85)` },
      { figure: 'req/s, two live peers on this box', value: t.medians.live, 'every round': t.perRound.live.join(' / '), target: `ratio ${t.ratioLive} (≥ 0.85)` },
      { figure: `replicated check-ins/s (3 sites × ${RATE}/s)`, value: result.steady.replicatedPerSec, 'every round': `errors ${result.steady.errors}, drained ${result.steady.drainAfterLoadMs} ms after load`, target: '—' },
      { figure: 'apply lag p99 s (p50)', value: result.steady.lagP99Sec, 'every round': `p50 ${result.steady.lagP50Sec}`, target: '≤ 1 s' },
      { figure: `converge after a ${PARTITION_SEC} s partition, ms after heal`, value: result.partition.convergeAfterHealMs, 'every round': `${result.partition.checkIns} check-ins, errors ${result.partition.errors}, converged ${result.partition.converged}`, target: '≤ 5000 ms' },
    ],
  };
}

function mergeBuckets(acc, b) {
  for (const [k, v] of b) acc.set(k, (acc.get(k) ?? 0) + v);
  return acc;
}
function round3(x) {
  return x === null || !Number.isFinite(x) ? x : Math.round(x * 1000) / 1000;
}
