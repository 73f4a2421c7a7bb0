// USSD front end in the Africa's Talking dialect: (1) dial-through check-ins
// (`*384*<venue>#`, one hop, one durable check-in) for distinct subscribers; (2) a
// two-hop session: dial `*384#` (menu) then `2` (my points), a new session per pair.
import { runLoad } from '../lib/load.js';
import { peakRssMiB, startBenchGateway } from '../lib/processes.js';

export const name = 'ussd';
export const title = "USSD (Africa's Talking dialect)";

const VENUES = 10_000;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function phone(n) {
  return `%2B2547${String(10_000_000 + (n % 89_999_999)).slice(-8)}`;
}

export async function run({ durationSec, connections }) {
  // The USSD deadline is raised for the benchmark so that overload shows as latency
  // (measured) rather than as "busy" END screens (which would count as successes).
  const gw = await startBenchGateway({ name: 'ussd', venues: VENUES, config: { ussd: { deadlineMs: 5000 }, pool: { enabled: false } } });
  try {
    const url = `${gw.url}/ussd/africastalking`;
    let i = Math.floor(Math.random() * 1e6) * 64;
    const dialThrough = (req) => {
      const n = i++;
      return { ...req, body: `sessionId=ATUid_b${n}&phoneNumber=${phone(n)}&serviceCode=*384*${100_000 + (n % VENUES)}%23&text=&networkCode=63902` };
    };
    await runLoad({ url, connections, durationSec: 2, headers: FORM, setupRequest: dialThrough }); // warm-up
    await gw.latency(true);
    const dial = await runLoad({ url, connections, durationSec, headers: FORM, setupRequest: dialThrough });
    const dialServer = await gw.latency(true);
    const checkIns = await countCheckIns(gw);

    // Reference in the same gateway: JSON API check-ins WITH an Idempotency-Key. Every USSD
    // check-in is keyed (session + hop), the `checkin` scenario's are not, and a keyed
    // check-in costs the writer and MySQL more (the unique (client_id, request_key) index).
    let k = Math.floor(Math.random() * 1e6) * 64;
    const keyedApi = (req) => {
      const n = k++;
      const msisdn = `+2547${String(10_000_000 + (n % 89_999_999)).slice(-8)}`;
      return {
        ...req,
        headers: { ...req.headers, 'idempotency-key': `bench-${n}:0:1` },
        body: `{"msisdn":"${msisdn}","venueId":"${100_000 + (n % VENUES)}","channel":"app"}`,
      };
    };
    const apiHeaders = { 'content-type': 'application/json', 'x-api-key': gw.clientKey };
    await gw.latency(true);
    const keyed = await runLoad({ url: `${gw.url}/v1/checkins`, connections, durationSec, headers: apiHeaders, setupRequest: keyedApi });
    const keyedServer = await gw.latency(true);

    // Two hops per session: each connection alternates "new session" and "its second hop".
    let s = Math.floor(Math.random() * 1e6) * 64;
    const twoHop = (req, context) => {
      if (context.second) {
        context.second = false;
        return { ...req, body: `sessionId=${context.sid}&phoneNumber=${context.phone}&serviceCode=*384%23&text=2` };
      }
      const n = s++;
      context.sid = `ATUid_s${n}`;
      context.phone = phone(n);
      context.second = true;
      return { ...req, body: `sessionId=${context.sid}&phoneNumber=${context.phone}&serviceCode=*384%23&text=` };
    };
    const session = await runLoad({ url, connections, durationSec, headers: FORM, setupRequest: twoHop });
    const sessionServer = await gw.latency();
    const metrics = await gw.metrics();
    const busy = Number(/hopgate_http_requests_total\{[^}]*route="\/ussd\/africastalking"[^}]*status="200"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);
    const result = {
      dialThrough: { ...dial, serverLatencyMs: dialServer, durableCheckIns: checkIns },
      keyedApiCheckIn: { ...keyed, serverLatencyMs: keyedServer },
      twoHopSession: { ...session, sessionsPerSec: Math.round(session.throughputPerSec / 2), serverLatencyMs: sessionServer },
      peakRssMiB: peakRssMiB(gw.pid),
      ussdReplies200: busy,
    };
    const row = (label, load, server) => ({
      scenario: label,
      'req/s': load.throughputPerSec,
      'p50/p90/p99 ms': `${load.latencyMs.p50}/${load.latencyMs.p90}/${load.latencyMs.p99}`,
      'server p50/p99/p99.9 ms': `${server.p50Ms}/${server.p99Ms}/${server.p999Ms}`,
      'errors / non-2xx': `${load.errors + load.timeouts} / ${load.non2xx}`,
      'peak RSS MiB': result.peakRssMiB,
    });
    return {
      result,
      rows: [
        row('dial-through check-in (1 hop)', dial, dialServer),
        row('reference: POST /v1/checkins with Idempotency-Key', keyed, keyedServer),
        row('two-hop session (menu, my points)', session, sessionServer),
      ],
    };
  } finally {
    await gw.stop();
  }
}

async function countCheckIns(gw) {
  const { default: mysql } = await import('mysql2/promise');
  const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', password: '', database: gw.database });
  try {
    const [rows] = await c.query("SELECT COUNT(*) AS n FROM checkins WHERE client_id = 'ussd:africastalking'");
    return Number(rows[0].n);
  } finally {
    await c.end();
  }
}
