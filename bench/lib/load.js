import autocannon from 'autocannon';

/**
 * Runs autocannon (bounded by duration) and returns the figures every scenario reports.
 * autocannon's histogram has 1 ms resolution; sub-millisecond figures come from the
 * server-side histogram (`/admin/latency`).
 */
export async function runLoad({ url, connections = 64, durationSec = 10, method = 'POST', headers = {}, setupRequest, body, overallRate }) {
  const result = await autocannon({
    url,
    connections,
    duration: durationSec,
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(setupRequest ? { requests: [{ setupRequest }] } : {}),
    timeout: 10,
    ...(overallRate ? { overallRate } : {}),
  });
  return {
    connections,
    durationSec,
    requests: result.requests.total,
    throughputPerSec: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    // Replies per status code, so a non-2xx count says what it was.
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, v.count])),
  };
}
