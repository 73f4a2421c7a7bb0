/** Where the demo sends check-ins. */
export interface TrafficTarget {
  readonly siteId: string;
  readonly url: string;
}

export interface TrafficOptions {
  /** Check-ins per second at each site (bounded by the caller). */
  readonly perSecond: number;
  /** Stops by itself after this long. */
  readonly forMs: number;
  readonly clientKey: string;
  readonly venueIds: readonly string[];
  /** Requests in flight per site; a slow site gets fewer, never a pile-up. @defaultValue 16 */
  readonly maxInFlight?: number;
}

const TICK_MS = 100;

/**
 * A light, bounded load of check-ins at every site (`hopgate demo --traffic N`): N per
 * second per site from a few hundred subscribers, at most `maxInFlight` at once per site,
 * for at most `forMs`. Counts answers by status.
 */
export class DemoTraffic {
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  private carry = 0;
  private startedAt = 0;
  readonly counts = new Map<string, { ok: number; failed: number }>();

  constructor(
    private readonly targets: readonly TrafficTarget[],
    private readonly opts: TrafficOptions,
  ) {
    for (const t of targets) this.counts.set(t.siteId, { ok: 0, failed: 0 });
  }

  start(): void {
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.pending]);
  }

  get running(): boolean {
    return this.timer !== null;
  }

  private tick(): void {
    if (Date.now() - this.startedAt >= this.opts.forMs) {
      void this.stop();
      return;
    }
    this.carry += (this.opts.perSecond * TICK_MS) / 1000;
    const n = Math.floor(this.carry);
    this.carry -= n;
    for (const t of this.targets) {
      for (let i = 0; i < n; i++) {
        if ((this.inFlight.get(t.siteId) ?? 0) >= (this.opts.maxInFlight ?? 16)) break;
        const p = this.send(t).finally(() => this.pending.delete(p));
        this.pending.add(p);
      }
    }
  }

  private async send(t: TrafficTarget): Promise<void> {
    this.inFlight.set(t.siteId, (this.inFlight.get(t.siteId) ?? 0) + 1);
    const c = this.counts.get(t.siteId)!;
    const msisdn = `+25471${String(Math.floor(Math.random() * 500)).padStart(7, '0')}`;
    const venueId = this.opts.venueIds[Math.floor(Math.random() * this.opts.venueIds.length)]!;
    try {
      const r = await fetch(`${t.url}/v1/checkins`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': this.opts.clientKey },
        body: JSON.stringify({ msisdn, venueId }),
        signal: AbortSignal.timeout(2000),
      });
      await r.arrayBuffer();
      if (r.status === 201) c.ok++;
      else c.failed++;
    } catch {
      c.failed++;
    } finally {
      this.inFlight.set(t.siteId, this.inFlight.get(t.siteId)! - 1);
    }
  }
}
