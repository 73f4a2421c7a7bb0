import { createServer, connect, type Server, type Socket } from 'node:net';

/** What a link does to its traffic. `up` forwards (after `latencyMs`, if set). */
export type LinkState = 'up' | 'blackhole' | 'reset' | 'cut';

/** One direction of one connection: chunks wait here until they are due (latency). */
interface Lane {
  readonly from: Socket;
  readonly to: () => Socket | null;
  readonly queue: Array<{ due: number; chunk: Buffer }>;
  timer: NodeJS.Timeout | null;
}

interface Pair {
  readonly client: Socket;
  upstream: Socket | null;
  readonly lanes: [Lane, Lane];
}

/**
 * A loopback TCP proxy on an inter-site link (or a Redis replication link), for fault
 * injection on command:
 * - `latency(ms)`: every chunk is delayed by `ms`, both ways (order kept);
 * - `blackhole()`: connections are accepted, nothing is forwarded either way; bytes are held
 *   (as TCP retransmits across a black hole) and flow again on `heal()`;
 * - `reset()`: open connections and new ones are reset (RST);
 * - `cut()`: new connections are refused (the port stops listening), open ones are ended;
 * - `heal()`: back to `up` with no latency.
 * The target may be set after start (`setTarget`): a link is made before the site behind it
 * has a port. Until then connections are held, as in a black hole.
 */
export class LinkProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();
  private targetPort: number;
  state: LinkState = 'up';
  latencyMs = 0;
  port = 0;

  constructor(targetPort = 0, private readonly targetHost = '127.0.0.1') {
    this.targetPort = targetPort;
  }

  /** Listens on `port` (0 = a free one) and returns it. */
  async start(port = 0): Promise<number> {
    const server = createServer((client) => this.onClient(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  /** Where traffic goes; held connections are connected now. */
  setTarget(port: number): void {
    this.targetPort = port;
    if (this.state === 'up') for (const p of this.pairs) this.release(p);
  }

  latency(ms: number): void {
    this.latencyMs = ms;
  }

  blackhole(): void {
    this.state = 'blackhole';
    for (const p of this.pairs) {
      p.client.pause();
      p.upstream?.pause();
    }
  }

  reset(): void {
    this.state = 'reset';
    for (const p of [...this.pairs]) this.drop(p, 'reset');
  }

  async cut(): Promise<void> {
    this.state = 'cut';
    for (const p of [...this.pairs]) this.drop(p, 'end');
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async heal(): Promise<void> {
    const wasCut = this.state === 'cut';
    this.state = 'up';
    this.latencyMs = 0;
    if (wasCut && this.server === null) await this.start(this.port);
    for (const p of this.pairs) this.release(p);
  }

  async stop(): Promise<void> {
    for (const p of [...this.pairs]) this.drop(p, 'destroy');
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Open connections (for tests of the proxy itself). */
  get connections(): number {
    return this.pairs.size;
  }

  private onClient(client: Socket): void {
    if (this.state === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: null, lanes: [lane(client, () => pair.upstream), lane(null as unknown as Socket, () => client)] };
    this.pairs.add(pair);
    client.on('error', () => this.drop(pair, 'destroy'));
    client.on('close', () => this.drop(pair, 'destroy'));
    client.on('end', () => pair.upstream?.end());
    client.on('data', (chunk: Buffer) => this.forward(pair.lanes[0], chunk));
    client.pause();
    if (this.state === 'up') this.release(pair);
  }

  /** Connects a held pair upstream (if not yet) and lets bytes flow again. */
  private release(pair: Pair): void {
    if (this.targetPort === 0 || !this.pairs.has(pair)) return;
    if (pair.upstream === null) {
      const upstream = connect(this.targetPort, this.targetHost);
      pair.upstream = upstream;
      const back: Lane = { ...pair.lanes[1], from: upstream };
      pair.lanes[1] = back;
      upstream.on('data', (chunk: Buffer) => this.forward(back, chunk));
      upstream.on('error', () => this.drop(pair, 'destroy'));
      upstream.on('close', () => this.drop(pair, 'end'));
      upstream.on('end', () => pair.client.end());
    }
    pair.client.resume();
    pair.upstream.resume();
  }

  private forward(l: Lane, chunk: Buffer): void {
    const now = Date.now();
    const last = l.queue.length > 0 ? l.queue[l.queue.length - 1]!.due : 0;
    l.queue.push({ due: Math.max(now + this.latencyMs, last), chunk });
    if (this.latencyMs === 0 && l.queue.length === 1) flush(l);
    else schedule(l);
  }

  private drop(pair: Pair, how: 'reset' | 'end' | 'destroy'): void {
    if (!this.pairs.delete(pair)) return;
    for (const l of pair.lanes) if (l.timer) clearTimeout(l.timer);
    for (const s of [pair.client, pair.upstream]) {
      if (s === null || s.destroyed) continue;
      if (how === 'reset') s.resetAndDestroy();
      else if (how === 'end') {
        s.end();
        // A peer that never closes its side must not keep the socket forever.
        setTimeout(() => s.destroy(), 1000).unref();
      } else s.destroy();
    }
  }
}

function lane(from: Socket, to: () => Socket | null): Lane {
  return { from, to, queue: [], timer: null };
}

function flush(l: Lane): void {
  l.timer = null;
  const now = Date.now();
  const to = l.to();
  while (l.queue.length > 0 && l.queue[0]!.due <= now) {
    const { chunk } = l.queue.shift()!;
    if (to && !to.destroyed) to.write(chunk);
  }
  schedule(l);
}

function schedule(l: Lane): void {
  if (l.timer !== null || l.queue.length === 0) return;
  l.timer = setTimeout(flush, Math.max(0, l.queue[0]!.due - Date.now()), l);
}
