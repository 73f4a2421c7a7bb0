// hopgate side by side with the conventional stack (bench/baselines/conventional/) and the
// ceilings (durable write, uWS echo, node:http echo), every system in its own process,
// measured in the same run, alternated round by round (A B C … then … C B A) so host drift
// hits all of them. Every headline figure is a ratio between systems of the same run.
// Options: --rounds 3  --duration 5 (s per closed-loop load)  --sweep-duration 5
//          --e2e-duration 10  --connections 64  --pin on|off
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad } from '../lib/load.js';
import { openLoop, survived } from '../lib/open-loop.js';
import { autocannonRequests, boardAround, ceilingPost, keyedCheckIn, ussdDialThrough } from '../lib/requests.js';
import { startConventional, startDurableCeiling, startEcho, startHopgate, startReplicatedHopgate } from '../lib/systems.js';
import { barChart, latencyChart } from '../lib/charts.js';
import { ROOT } from '../lib/processes.js';
import { createProgress } from '../lib/progress.js';
import { median, versusMarkdown } from '../lib/versus-report.js';

export const name = 'versus';
export const title = 'hopgate against the conventional stack and the ceilings';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Offered rates common to both systems, requests/s (those above hopgate's maximum are skipped). */
const ABSOLUTE_RATES = [250, 500, 1000, 2000, 4000, 8000, 16000];
const RELATIVE_RATES = [0.25, 0.5, 0.75, 0.9];
const DRAIN_LIMIT_SEC = 90;

/**
 * The phases, in order. End to end includes hopgate replicating every check-in to two
 * local peer sites (hopgate only: the conventional stack has no replication).
 */
const PHASES = ['closed-loop', 'rate-sweep', 'end-to-end (with and without replication)', 'read-path'];
const PENDING = {};

export async function run({ connections, pinning, startedAt, machine, file }) {
  const rounds = Number(arg('rounds', '3'));
  const durationSec = Number(arg('duration', '5'));
  const sweepSec = Number(arg('sweep-duration', '5'));
  const e2eSec = Number(arg('e2e-duration', '10'));
  const progress = createProgress();
  const seqs = {};
  const seq = (id) => (seqs[id] ??= { next: Math.floor(Math.random() * 1e6) * 64 });

  progress.line('starting the systems (hopgate ×2 and a 3-site replicated hopgate, conventional, durable ceiling, uWS echo, node:http echo)');
  const result = { startedAt, machine, file, options: { rounds, durationSec, sweepSec, e2eSec, connections }, pinning, phases: PHASES, pending: PENDING };
  // Started one after the other (a saturated box starts three gateways at once slowly), and
  // every one started is stopped whatever happens next.
  const started = [];
  const boot = async (start) => {
    const sys = await start();
    started.push(sys);
    return sys;
  };
  try {
    const hg = await boot(() => startHopgate({ events: false }));
    const hgE2e = await boot(() => startHopgate({ events: true }));
    const conv = await boot(startConventional);
    const durable = await boot(startDurableCeiling);
    const uws = await boot(() => startEcho('uws'));
    const nodeEcho = await boot(() => startEcho('node'));
    const replicated = await boot(startReplicatedHopgate);
    const closedTargets = [
      { id: 'hopgate', label: 'hopgate POST /v1/checkins (keyed)', port: hg.port, make: keyedCheckIn(hg.apiKey) },
      { id: 'conventional', label: 'conventional (Fastify + mysql2 + BullMQ)', port: conv.port, make: keyedCheckIn(conv.apiKey), after: () => conv.clearQueue() },
      { id: 'durable', label: 'durable-write ceiling (uWS, group commit)', port: durable.port, make: ceilingPost() },
      { id: 'ussd', label: 'hopgate USSD dial-through', port: hg.port, make: ussdDialThrough() },
      { id: 'uws-echo', label: 'uWS echo', port: uws.port, make: ceilingPost() },
      { id: 'node-echo', label: 'node:http echo', port: nodeEcho.port, make: ceilingPost() },
    ];
    const closedLoad = (t, sec) =>
      runLoad({ url: `http://127.0.0.1:${t.port}/`, connections, durationSec: sec, setupRequest: autocannonRequests(t.make, seq(t.id)) });

    // 1. Closed loop: each system's maximum at fixed connections.
    const closed = Object.fromEntries(closedTargets.map((t) => [t.id, []]));
    progress.start('closed loop', rounds * closedTargets.length + closedTargets.length);
    for (const t of closedTargets) {
      progress.step(`warm-up ${t.id}`);
      await closedLoad(t, 2);
      await t.after?.();
    }
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? closedTargets : [...closedTargets].reverse()) {
        progress.step(`round ${r + 1}/${rounds} ${t.id}`);
        closed[t.id].push(await closedLoad(t, durationSec));
        await t.after?.();
      }
    }
    result.closedLoop = closed;
    const max = Object.fromEntries(Object.entries(closed).map(([id, runs]) => [id, median(runs.map((x) => x.throughputPerSec))]));

    // 2. Open-loop rate sweep: 25/50/75/90 % of each system's own maximum, and the common
    // absolute rates (up to hopgate's maximum), alternated between the systems at each rate.
    const sweepTargets = { hopgate: closedTargets[0], conventional: closedTargets[1], ussd: closedTargets[3] };
    const points = [];
    for (const id of Object.keys(sweepTargets)) for (const f of RELATIVE_RATES) points.push({ id, rate: Math.round(max[id] * f), kind: `${f * 100} % of own max` });
    // hopgate at the conventional stack's own rates too, so p99 compares at every rate it
    // keeps up with.
    for (const f of RELATIVE_RATES) points.push({ id: 'hopgate', rate: Math.round(max.conventional * f), kind: `${f * 100} % of conventional's max` });
    for (const rate of ABSOLUTE_RATES.filter((x) => x <= max.hopgate)) for (const id of ['hopgate', 'conventional']) points.push({ id, rate, kind: 'absolute' });
    points.sort((a, b) => a.rate - b.rate || a.id.localeCompare(b.id));
    const sweep = [];
    const gaveUp = new Set();
    progress.start('rate sweep', points.length);
    for (const p of points) {
      progress.step(`${p.id} at ${p.rate}/s (${p.kind})`);
      // A system that collapsed at a lower absolute rate (answered < 80 % of it) is not
      // loaded further up: its queue would only grow.
      if (p.kind === 'absolute' && gaveUp.has(p.id)) {
        sweep.push({ ...p, skipped: 'collapsed at a lower rate' });
        continue;
      }
      const t = sweepTargets[p.id];
      const s = seq(t.id);
      const start = s.next;
      const res = await openLoop({ port: t.port, rate: p.rate, durationSec: sweepSec, request: (n) => t.make(start + n) });
      s.next += res.scheduled;
      await t.after?.();
      const ok = survived(res);
      if (p.kind === 'absolute' && res.achievedPerSec < 0.8 * p.rate) gaveUp.add(p.id);
      sweep.push({ ...p, ...res, survived: ok });
      await sleep(500);
    }
    result.sweep = sweep;

    // 3. End to end: check-ins with all five events processed (hopgate's pool; the
    // conventional stack's BullMQ worker in its own process), closed loop, then drained.
    await conv.clearQueue();
    await conv.startWorker();
    const e2eTargets = [
      { id: 'hopgate-e2e', port: hgE2e.port, make: keyedCheckIn(hgE2e.apiKey), sys: hgE2e },
      { id: 'conventional-e2e', port: conv.port, make: keyedCheckIn(conv.apiKey), sys: conv },
      { id: 'hopgate-e2e-replicated', port: replicated.port, make: keyedCheckIn(replicated.apiKey), sys: replicated },
    ];
    const e2e = { 'hopgate-e2e': [], 'conventional-e2e': [], 'hopgate-e2e-replicated': [] };
    const known = {};
    progress.start('end to end', rounds * e2eTargets.length);
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? e2eTargets : [...e2eTargets].reverse()) {
        progress.step(`round ${r + 1}/${rounds} ${t.id}`);
        const before = await t.sys.processed();
        known[t.id] ??= Array.from({ length: 2000 }, (_, i) => seq(t.id).next + i);
        const started = Date.now();
        const load = await closedLoad(t, e2eSec);
        const loadEnded = Date.now();
        let backlog = await t.sys.backlog();
        while (backlog.pending > 0 && Date.now() - loadEnded < DRAIN_LIMIT_SEC * 1000) {
          await sleep(100);
          backlog = await t.sys.backlog();
        }
        const drainSec = (Date.now() - loadEnded) / 1000;
        const after = await t.sys.processed();
        const committed = after.checkins - before.checkins;
        // Every kind of work counted (hopgate: work rows done; conventional: ledger rows and
        // notifications) grew by exactly the check-ins committed: nothing skipped.
        const allProcessed = Object.keys(after).every((k) => k === 'checkins' || after[k] - before[k] === committed);
        e2e[t.id].push({
          ...load,
          committed,
          processed: after,
          drained: backlog.pending === 0,
          allProcessed,
          failed: backlog.failed,
          drainSec,
          endToEndPerSec: Math.round(committed / ((Date.now() - started) / 1000)),
        });
      }
    }
    await conv.stopWorker();
    result.endToEnd = e2e;

    // 4. Read path: a board page around a subscriber who checked in (boards filled by phase 3).
    const readTargets = [
      { id: 'hopgate-read', port: hgE2e.port, make: boardAround(hgE2e.apiKey, known['hopgate-e2e']) },
      { id: 'conventional-read', port: conv.port, make: boardAround(conv.apiKey, known['conventional-e2e']) },
    ];
    const read = { 'hopgate-read': [], 'conventional-read': [] };
    progress.start('read path', rounds * 2);
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? readTargets : [...readTargets].reverse()) {
        progress.step(`round ${r + 1}/${rounds} ${t.id}`);
        read[t.id].push(await closedLoad(t, durationSec));
      }
    }
    result.readPath = read;
    progress.done();
  } finally {
    for (const s of started) await s.stop().catch((e) => console.error(e));
  }

  const report = versusMarkdown(result);
  result.headline = report.headline;
  writeCharts(result, report);
  return { result, rows: report.rows, markdown: report.markdown };
}

function writeCharts(result, report) {
  const dir = join(ROOT, 'bench', 'results');
  const series = (id, label, color, pct, dash) => ({
    label,
    color,
    dash,
    points: result.sweep.filter((p) => p.id === id && !p.skipped).map((p) => ({ rate: p.offeredPerSec, ms: p.latencyMs[pct], ok: p.survived })),
  });
  writeFileSync(
    join(dir, 'versus-latency.svg'),
    latencyChart({
      title: 'Check-in latency against offered rate: hopgate vs conventional stack',
      series: [
        series('hopgate', 'hopgate p50', '#1f6fd1', 'p50', '4 3'),
        series('hopgate', 'hopgate p99', '#1f6fd1', 'p99'),
        series('conventional', 'conventional p50', '#d9731a', 'p50', '4 3'),
        series('conventional', 'conventional p99', '#d9731a', 'p99'),
        series('ussd', 'hopgate USSD p99', '#2a9d4b', 'p99'),
      ],
      note: `run ${result.startedAt ?? ''}`.trim(),
    }),
  );
  writeFileSync(join(dir, 'versus-throughput.svg'), barChart({ title: 'Closed-loop maximum (median of alternated rounds), with the ceilings', bars: report.bars, unit: 'req/s' }));
}
