// The report of the `versus` scenario: headline ratios against the targets, tables, and
// the bars of the throughput chart. Ratios are medians of per-round ratios (each round
// measures both systems within seconds of each other), so host drift cancels.
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const E2E_LABELS = {
  'hopgate-e2e': 'hopgate (event pool on)',
  'conventional-e2e': 'conventional (BullMQ worker, own process)',
  'hopgate-e2e-replicated': 'hopgate, pool on, replicated to 2 local peer sites (3 gateways)',
};
const r2 = (x) => Math.round(x * 100) / 100;
const tput = (runs) => runs.map((x) => x.throughputPerSec);

/** Median over rounds of a/b, round by round. */
function pairedRatio(a, b, key = 'throughputPerSec') {
  return r2(median(a.map((x, i) => x[key] / Math.max(1, b[i][key]))));
}

export function versusMarkdown(res) {
  const c = res.closedLoop;
  const max = Object.fromEntries(Object.entries(c).map(([id, runs]) => [id, median(tput(runs))]));
  const sweepOf = (id) => res.sweep.filter((p) => p.id === id && !p.skipped);
  // p99 at every offered rate the conventional stack kept up with, against hopgate's at that rate.
  const p99Pairs = sweepOf('conventional')
    .filter((p) => p.survived)
    .map((p) => ({ rate: p.offeredPerSec, conventional: p.latencyMs.p99, hopgate: sweepOf('hopgate').find((h) => h.offeredPerSec === p.offeredPerSec)?.latencyMs.p99 }))
    .filter((p) => p.hopgate !== undefined);
  const lowerP99 = p99Pairs.filter((p) => p.hopgate < p.conventional).length;
  const ussdHalf = sweepOf('ussd').find((p) => p.kind === '50 % of own max');
  const e2e = res.endToEnd;
  const read = res.readPath;
  const headline = {
    checkinVsConventional: pairedRatio(c.hopgate, c.conventional),
    checkinVsDurableCeiling: pairedRatio(c.hopgate, c.durable),
    checkinVsUwsEcho: pairedRatio(c.hopgate, c['uws-echo']),
    checkinVsNodeEcho: pairedRatio(c.hopgate, c['node-echo']),
    conventionalVsNodeEcho: pairedRatio(c.conventional, c['node-echo']),
    durableCeilingVsUwsEcho: pairedRatio(c.durable, c['uws-echo']),
    ussdVsKeyedCheckin: pairedRatio(c.ussd, c.hopgate),
    ussdP99AtHalfMaxMs: ussdHalf?.latencyMs.p99 ?? null,
    ussdHalfMaxRate: ussdHalf?.offeredPerSec ?? null,
    p99LowerAtConventionalSurvivedRates: `${lowerP99} of ${p99Pairs.length}`,
    endToEndVsConventional: pairedRatio(e2e['hopgate-e2e'], e2e['conventional-e2e'], 'endToEndPerSec'),
    endToEndReplicatedVsConventional: e2e['hopgate-e2e-replicated'] ? pairedRatio(e2e['hopgate-e2e-replicated'], e2e['conventional-e2e'], 'endToEndPerSec') : null,
    readVsConventional: pairedRatio(read['hopgate-read'], read['conventional-read']),
  };
  const h = headline;
  const met = (ok) => (ok ? 'met' : '**not met**');
  const lines = [];
  lines.push(
    `Run ${res.startedAt}: ${res.machine}; ${res.options.rounds} alternated rounds, closed loop ${res.options.connections} connections × ${res.options.durationSec} s, ` +
      `sweep ${res.options.sweepSec} s per rate, end to end ${res.options.e2eSec} s + drain; pinning: ${res.pinning.pinned ? `load generator on CPU ${res.pinning.loadGeneratorCpus}, servers on CPU ${res.pinning.serverCpus} (${res.pinning.why})` : res.pinning.why}; raw figures \`bench/results/${res.file}\`.`,
    '',
    '| headline (same run; median of per-round ratios) | value | target |',
    '|---|---|---|',
    `| check-in throughput, hopgate / conventional | **${h.checkinVsConventional}×** | ≥ 5×: ${met(h.checkinVsConventional >= 5)} |`,
    `| check-in p99 lower than conventional's, at the offered rates it kept up with | ${h.p99LowerAtConventionalSurvivedRates} rates | all: ${met(p99Pairs.length > 0 && lowerP99 === p99Pairs.length)} |`,
    `| check-in throughput, hopgate / durable-write ceiling | **${h.checkinVsDurableCeiling}** | ≥ 0.9: ${met(h.checkinVsDurableCeiling >= 0.9)} |`,
    `| USSD dial-through / keyed JSON check-in | **${h.ussdVsKeyedCheckin}** | ≥ 0.9: ${met(h.ussdVsKeyedCheckin >= 0.9)} |`,
    `| USSD dial-through p99 at half its own max (${h.ussdHalfMaxRate}/s offered, open loop) | ${h.ussdP99AtHalfMaxMs} ms | ≤ 15 ms: ${met(h.ussdP99AtHalfMaxMs !== null && h.ussdP99AtHalfMaxMs <= 15)} |`,
    `| check-in throughput, hopgate / uWS echo · / node:http echo | ${h.checkinVsUwsEcho} · ${h.checkinVsNodeEcho} | — |`,
    `| conventional / node:http echo · durable ceiling / uWS echo | ${h.conventionalVsNodeEcho} · ${h.durableCeilingVsUwsEcho} | — |`,
    `| end to end (all five events processed), hopgate / conventional | ${h.endToEndVsConventional}× | — |`,
    `| end to end and replicated to two local peer sites, hopgate / conventional (unreplicated) | ${h.endToEndReplicatedVsConventional ?? '—'}× | — |`,
    `| read path (board around a subscriber), hopgate / conventional | ${h.readVsConventional}× | — |`,
    '',
  );
  const labels = {
    hopgate: 'hopgate POST /v1/checkins (keyed)',
    conventional: 'conventional: Fastify + mysql2 + BullMQ',
    durable: 'durable-write ceiling (uWS + group commit)',
    ussd: 'hopgate USSD dial-through',
    'uws-echo': 'uWS echo',
    'node-echo': 'node:http echo',
  };
  const lat = (runs) => {
    const m = runs.find((x) => x.throughputPerSec === median(tput(runs))) ?? runs[0];
    return `${m.latencyMs.p50}/${m.latencyMs.p99}`;
  };
  const errs = (runs) => {
    const other = {};
    for (const x of runs) for (const [code, n] of Object.entries(x.statusCodes ?? {})) if (!code.startsWith('2')) other[code] = (other[code] ?? 0) + n;
    const codes = Object.entries(other).map(([code, n]) => `${n}× ${code}`).join(', ');
    return `${runs.reduce((s, x) => s + x.errors + x.timeouts, 0)} / ${runs.reduce((s, x) => s + x.non2xx, 0)}${codes ? ` (${codes})` : ''}`;
  };
  lines.push('Closed loop (the maximum; autocannon, latency as it measures it: not corrected, see the sweep):', '');
  lines.push('| system | req/s, median | every round | p50/p99 ms (median round) | errors / non-2xx | hopgate check-in / this |', '|---|---|---|---|---|---|');
  for (const [id, runs] of Object.entries(c)) {
    lines.push(`| ${labels[id]} | ${max[id]} | ${tput(runs).join(' / ')} | ${lat(runs)} | ${errs(runs)} | ${id === 'hopgate' ? 1 : pairedRatio(c.hopgate, runs)} |`);
  }
  lines.push('', 'Open-loop rate sweep (latency from each request\'s intended send time; "kept up": every request answered 2xx and ≥ 95 % of the offered rate achieved):', '');
  lines.push('| offered/s | which | system | achieved/s | p50 / p90 / p99 / p99.9 ms | kept up |', '|---|---|---|---|---|---|');
  for (const p of res.sweep) {
    if (p.skipped) lines.push(`| ${p.rate} | ${p.kind} | ${p.id} | — | — | not run: ${p.skipped} |`);
    else
      lines.push(
        `| ${p.offeredPerSec} | ${p.kind} | ${p.id} | ${p.achievedPerSec} | ${p.latencyMs.p50} / ${p.latencyMs.p90} / ${p.latencyMs.p99} / ${p.latencyMs.p999} | ${p.survived ? 'yes' : `no (${p.incomplete} unanswered, ${p.errors} errors, ${p.non2xx} non-2xx${p.non2xx ? `: ${Object.entries(p.non2xxCodes ?? {}).map(([c, n]) => `${n}× ${c}`).join(', ')}` : ''})`} |`,
      );
  }
  lines.push('', 'End to end (closed loop, then the backlog drained; end-to-end rate = check-ins committed / (load + drain)):', '');
  lines.push('| system | accepted/s during load | committed | drain s | end-to-end/s, every round | drained, every event processed, failed |', '|---|---|---|---|---|---|');
  for (const [id, runs] of Object.entries(e2e)) {
    lines.push(
      `| ${E2E_LABELS[id]} | ${median(tput(runs))} | ${runs.map((x) => x.committed).join(' / ')} | ${runs.map((x) => x.drainSec.toFixed(1)).join(' / ')} | ${runs.map((x) => x.endToEndPerSec).join(' / ')} | ${runs.every((x) => x.drained) ? 'yes' : 'NO'}, ${runs.every((x) => x.allProcessed) ? 'yes' : 'NO'}, ${runs.reduce((s, x) => s + x.failed, 0)} |`,
    );
  }
  lines.push('', 'Read path (`GET /v1/leaderboards/global?around=<subscriber>&limit=10`, closed loop):', '');
  lines.push('| system | req/s, median | every round | p50/p99 ms | errors / non-2xx |', '|---|---|---|---|---|');
  for (const [id, runs] of Object.entries(read)) lines.push(`| ${id === 'hopgate-read' ? 'hopgate' : 'conventional'} | ${median(tput(runs))} | ${tput(runs).join(' / ')} | ${lat(runs)} | ${errs(runs)} |`);
  if (Object.keys(res.pending).length) lines.push('', `Not measured yet: ${Object.values(res.pending).join('; ')}.`);
  lines.push('', '![latency against offered rate](results/versus-latency.svg)', '', '![throughput with the ceilings](results/versus-throughput.svg)');
  const colors = { hopgate: '#1f6fd1', ussd: '#2a9d4b', conventional: '#d9731a', durable: '#777', 'uws-echo': '#aaa', 'node-echo': '#aaa' };
  const bars = Object.keys(c).map((id) => ({ label: labels[id], value: max[id], color: colors[id], note: id === 'hopgate' ? '' : `hopgate / this ${pairedRatio(c.hopgate, c[id])}` }));
  const rows = Object.entries(headline).map(([k, v]) => ({ figure: k, value: v }));
  return { headline, markdown: lines.join('\n'), rows, bars };
}
