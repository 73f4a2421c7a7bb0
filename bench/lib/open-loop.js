// An open-loop HTTP/1.1 load generator: requests follow a fixed schedule (request n is due
// at t0 + n / rate) whatever the server does, and each one's latency is measured from its
// *intended* send time, not from when a free connection let it go. A server that stalls
// therefore pays for every request that should have been sent during the stall (no
// coordinated omission; the wrk2 approach). autocannon cannot do this: with `overallRate`
// each connection still waits for its reply before sending the next request, so a slow
// server is offered less than the rate and its latency is measured from the late send.
//
// Requests due while every connection is busy wait in a queue (their wait counts), and new
// connections are opened up to `maxConnections`. Requests still unanswered `graceSec`
// after the last one was due are counted as `incomplete` and enter the histogram with
// their latency so far (a lower bound), so a collapse shows in the percentiles.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * @param {object} o
 * @param {number} o.port       loopback port of the server
 * @param {number} o.rate       offered requests per second
 * @param {number} o.durationSec
 * @param {(n: number) => {method?: string, path: string, headers?: Record<string,string>, body?: string}} o.request
 */
export async function openLoop({ port, rate, durationSec, request, maxConnections = 512, initialConnections = 32, graceSec = 5 }) {
  const total = Math.max(1, Math.round(rate * durationSec));
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  const idle = [];
  const conns = new Set();
  // Due requests not yet sent: their intended times, oldest first (an array read from
  // `head`, as shift() is O(n) on a long array).
  const queue = [];
  let head = 0;
  let opening = 0;
  let next = 0;
  let completed = 0;
  let ok = 0;
  let non2xx = 0;
  const statusCodes = {};
  let errors = 0;
  let lastDone = 0;

  const serialise = (n) => {
    const r = request(n);
    const body = r.body ?? '';
    let head = `${r.method ?? 'POST'} ${r.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    for (const [k, v] of Object.entries(r.headers ?? {})) head += `${k}: ${v}\r\n`;
    return `${head}\r\n${body}`;
  };

  const record = (intended) => {
    const now = performance.now();
    histogram.recordValue(Math.max(1, Math.round((now - intended) * 1000)));
    completed++;
    lastDone = now;
  };

  const open = () =>
    new Promise((resolve) => {
      opening++;
      const c = { sock: connect(port, '127.0.0.1'), buf: Buffer.alloc(0), current: null, dead: false, connected: false };
      c.sock.setNoDelay(true);
      c.sock.on('connect', () => {
        opening--;
        c.connected = true;
        conns.add(c);
        release(c);
        resolve();
      });
      c.sock.on('data', (d) => {
        c.buf = c.buf.length === 0 ? d : Buffer.concat([c.buf, d]);
        for (;;) {
          const end = c.buf.indexOf(HEADER_END);
          if (end < 0 || c.current === null) return;
          const head = c.buf.toString('latin1', 0, end);
          const m = /content-length:\s*(\d+)/i.exec(head);
          if (!m) throw new Error(`open-loop: a reply without Content-Length:\n${head}`);
          const size = end + 4 + Number(m[1]);
          if (c.buf.length < size) return;
          const status = Number(head.slice(9, 12));
          if (status >= 200 && status < 300) ok++;
          else {
            non2xx++;
            statusCodes[status] = (statusCodes[status] ?? 0) + 1;
          }
          record(c.current);
          c.current = null;
          c.buf = c.buf.subarray(size);
          release(c);
        }
      });
      const fail = () => {
        if (c.dead) return;
        c.dead = true;
        conns.delete(c);
        if (c.current !== null) {
          errors++;
          record(c.current);
          c.current = null;
        }
        if (!c.connected) opening--;
        resolve();
      };
      c.sock.on('error', fail);
      c.sock.on('close', fail);
    });

  /** A connection is free: give it the oldest due request, or park it. */
  function release(c) {
    if (c.dead) return;
    if (head === queue.length) {
      idle.push(c);
      return;
    }
    const n = queue[head++];
    if (head === queue.length) queue.length = head = 0;
    c.current = t0 + n * interval;
    c.sock.write(serialise(n));
  }

  let t0 = Infinity;
  const interval = 1000 / rate;
  await Promise.all(Array.from({ length: initialConnections }, open));
  t0 = performance.now() + 20;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) {
        queue.push(next++);
      }
      while (head < queue.length && idle.length > 0) release(idle.pop());
      if (head < queue.length && opening < 8 && conns.size + opening < maxConnections) void open();
      if (next < total) setTimeout(tick, 0);
      else resolve();
    };
    tick();
  });
  const lastDue = t0 + (total - 1) * interval;
  const deadline = lastDue + graceSec * 1000;
  while (completed < total && performance.now() < deadline) {
    while (head < queue.length && idle.length > 0) release(idle.pop());
    await new Promise((r) => setTimeout(r, 5));
  }
  // What never came back counts with its wait so far: a lower bound, never left out.
  const incomplete = total - completed;
  const end = performance.now();
  for (const c of conns) if (c.current !== null) histogram.recordValue(Math.round((end - c.current) * 1000));
  for (let i = head; i < queue.length; i++) histogram.recordValue(Math.round((end - (t0 + queue[i] * interval)) * 1000));
  for (let n = next; n < total; n++) histogram.recordValue(Math.round(Math.max(1, end - (t0 + n * interval)) * 1000));
  for (const c of conns) c.sock.destroy();
  const ms = (p) => Math.round(histogram.getValueAtPercentile(p) / 10) / 100;
  const result = {
    offeredPerSec: rate,
    durationSec,
    scheduled: total,
    completed,
    ok,
    non2xx,
    non2xxCodes: statusCodes,
    errors,
    incomplete,
    achievedPerSec: Math.round(completed / Math.max(0.001, ((lastDone || end) - t0) / 1000)),
    maxConnectionsUsed: conns.size,
    latencyMs: { p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9), max: ms(100) },
  };
  histogram.destroy();
  return result;
}

/**
 * Whether a server kept up with an offered rate: every request answered 2xx, and the
 * answers kept pace (≥ 95 % of the offered rate over the schedule).
 */
export function survived(r) {
  return r.incomplete === 0 && r.errors === 0 && r.non2xx === 0 && r.achievedPerSec >= 0.95 * r.offeredPerSec;
}
