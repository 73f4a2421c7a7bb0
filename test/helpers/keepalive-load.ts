import { Agent, request } from 'node:http';

export interface LoadOptions {
  readonly port: number;
  readonly apiKey: string;
  readonly venueId: string;
  /** Concurrent clients, each one keep-alive connection at a time, one request after another. */
  readonly clients: number;
  /** Bounds: requests per client and the whole run's duration. */
  readonly maxRequestsPerClient: number;
  readonly maxMs: number;
  /**
   * Check-ins per second of all clients together, at most: steady load that leaves the
   * shared box's other work some CPU. The clients go slower when replies come slower.
   */
  readonly ratePerSec: number;
}

export interface LoadResult {
  /** Check-in ids of every 201 reply. */
  readonly ids: string[];
  /** Every request that did not get a 201: a status and body, or a socket error. */
  readonly failures: string[];
  /** Replies that carried `Connection: close` (a draining server handing the client over). */
  closes: number;
  /** When each 201 arrived (ms since the load began), to see the load going on throughout. */
  readonly okAt: number[];
  elapsedMs: number;
}

/**
 * Check-in load as a realistic client sends it: a bounded set of keep-alive clients, each
 * posting one check-in after another and retrying nothing. A reset, a refused connection or
 * a non-201 reply is a failure the caller sees. `stop()` ends it early.
 */
export function keepAliveLoad(opts: LoadOptions): { done: Promise<LoadResult>; stop(): void } {
  let stopped = false;
  const started = performance.now();
  const result: LoadResult = { ids: [], failures: [], closes: 0, okAt: [], elapsedMs: 0 };
  const client = async (c: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const intervalMs = (opts.clients * 1000) / opts.ratePerSec;
    let nextAt = performance.now() + (c * intervalMs) / opts.clients;
    for (let i = 0; i < opts.maxRequestsPerClient && !stopped && performance.now() - started < opts.maxMs; i++) {
      const wait = nextAt - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      nextAt = Math.max(nextAt + intervalMs, performance.now() - intervalMs);
      const msisdn = `07${String(c * 1_000_000 + i).padStart(8, '0')}`;
      const r = await postCheckIn(agent, opts, JSON.stringify({ msisdn, venueId: opts.venueId }));
      if (r.closed) result.closes++;
      if (r.status === 201) {
        result.ids.push((JSON.parse(r.body) as { checkin: { id: string } }).checkin.id);
        result.okAt.push(performance.now() - started);
      } else {
        result.failures.push(r.status === 0 ? r.body : `${r.status} ${r.body}`);
      }
    }
    agent.destroy();
  };
  const done = Promise.all(Array.from({ length: opts.clients }, (_, c) => client(c))).then(() => {
    result.elapsedMs = performance.now() - started;
    return result;
  });
  return { done, stop: () => (stopped = true) };
}

function postCheckIn(agent: Agent, opts: LoadOptions, body: string): Promise<{ status: number; body: string; closed: boolean }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: opts.port,
        method: 'POST',
        path: '/v1/checkins',
        agent,
        timeout: 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': opts.apiKey },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, closed: res.headers.connection === 'close' }));
        res.on('error', (e) => resolve({ status: 0, body: `response error: ${e.message}`, closed: false }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no reply in 10 s')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: 0, body: `${e.code ?? ''} ${e.message}`, closed: false }));
    req.end(body);
  });
}
