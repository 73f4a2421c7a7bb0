// POST /v1/checkins with distinct users and venues, against the ceiling of a bare uWS echo
// measured in the same run.
import { join } from 'node:path';
import { runLoad } from '../lib/load.js';
import { peakRssMiB, ROOT, spawnListening, startBenchGateway } from '../lib/processes.js';

export const name = 'checkin';
export const title = 'Durable base check-in (POST /v1/checkins)';

const VENUES = 10_000;

function checkInBody(n) {
  const msisdn = `+2547${String(10_000_000 + (n % 89_999_999)).slice(-8)}`;
  return `{"msisdn":"${msisdn}","venueId":"${100_000 + (n % VENUES)}","channel":"app"}`;
}

export async function run({ durationSec, connections }) {
  // 1. Ceiling: bare uWS JSON echo.
  const echo = spawnListening([join(ROOT, 'bench', 'echo-server.js'), '0']);
  const echoPort = await echo.port;
  let n = 0;
  const ceiling = await runLoad({
    url: `http://127.0.0.1:${echoPort}/echo`,
    connections,
    durationSec,
    headers: { 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: checkInBody(n++) }),
  });
  echo.proc.kill('SIGKILL');

  // 2. The gateway, durable check-ins (InnoDB as shipped: flush at every commit).
  // The request path alone: events are committed with each check-in (durable in
  // checkin_work) but the pool is off, so its CPU does not blur this figure. The events
  // scenario measures check-ins with all five events processed.
  const gw = await startBenchGateway({ name: 'checkin', venues: VENUES, config: { pool: { enabled: false } } });
  try {
    const headers = { 'content-type': 'application/json', 'x-api-key': gw.clientKey };
    let i = Math.floor(Math.random() * 1e6) * 64;
    const setupRequest = (req) => ({ ...req, body: checkInBody(i++) });
    await runLoad({ url: `${gw.url}/v1/checkins`, connections, durationSec: 2, headers, setupRequest }); // warm-up
    await gw.latency(true);
    const load = await runLoad({ url: `${gw.url}/v1/checkins`, connections, durationSec, headers, setupRequest });
    const server = await gw.latency();
    const metrics = await gw.metrics();
    const rows = Number(/hopgate_writer_batch_rows_sum\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);
    const batches = Number(/hopgate_writer_batch_rows_count\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 1);
    const result = {
      ceiling,
      gateway: load,
      serverLatencyMs: server,
      ratioToCeiling: Math.round((load.throughputPerSec / ceiling.throughputPerSec) * 1000) / 1000,
      peakRssMiB: peakRssMiB(gw.pid),
      writerMeanBatchRows: Math.round((rows / Math.max(1, batches)) * 10) / 10,
      mysqlTransport: gw.mysqlTransport,
    };
    return {
      result,
      rows: [
        {
          scenario: 'uWS echo (ceiling)',
          'req/s': ceiling.throughputPerSec,
          'p50/p90/p99 ms': `${ceiling.latencyMs.p50}/${ceiling.latencyMs.p90}/${ceiling.latencyMs.p99}`,
          'server p50/p99/p99.9 ms': '—',
          'errors / non-2xx': `${ceiling.errors} / ${ceiling.non2xx}`,
          'peak RSS MiB': '—',
          'ratio to ceiling': 1,
        },
        {
          scenario: 'POST /v1/checkins',
          'req/s': load.throughputPerSec,
          'p50/p90/p99 ms': `${load.latencyMs.p50}/${load.latencyMs.p90}/${load.latencyMs.p99}`,
          'server p50/p99/p99.9 ms': `${server.p50Ms}/${server.p99Ms}/${server.p999Ms}`,
          'errors / non-2xx': `${load.errors + load.timeouts} / ${load.non2xx}`,
          'peak RSS MiB': result.peakRssMiB,
          'ratio to ceiling': result.ratioToCeiling,
        },
      ],
    };
  } finally {
    await gw.stop();
  }
}
