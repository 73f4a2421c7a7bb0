import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';

/**
 * How fresh the points read model (`redis.readModel`) is at this site. At the points site it
 * is the master and always fresh; elsewhere it is a replica (or a replica of a replica) and
 * may fall behind or lose its link over the WAN. Reads never fail for that: they say
 * `stale: true`. The figure comes from `INFO replication`, polled in the background (one
 * command per interval, never per request).
 */
export interface ReplicaStatus {
  /** `master`, `replica`, or `unknown` while the read model cannot be asked. */
  readonly role: 'master' | 'replica' | 'unknown';
  /** The replica's link to its master is up (`master_link_status:up`); true at a master. */
  readonly linkUp: boolean;
  /**
   * How far behind the figures may be, in seconds: 0 at a master; on a replica with its link
   * up, the time since it last heard from its master (`master_last_io_seconds_ago`: the
   * master pings every `repl-ping-replica-period` seconds, so an idle healthy link reads up
   * to that); with the link down, how long it has been down
   * (`master_link_down_since_seconds`). Null when unknown.
   */
  readonly lagSeconds: number | null;
  /** A full resynchronisation is under way (`master_sync_in_progress:1`). */
  readonly syncing: boolean;
  /** Figures read now may be behind the points site. */
  readonly stale: boolean;
  /** When the last poll answered (ms since the epoch), null before the first answer. */
  readonly checkedAt: number | null;
  /** Why the last poll failed, if it did. */
  readonly error: string | null;
}

export interface ReplicaCheckOptions {
  /** Poll period. @defaultValue 1000 */
  readonly intervalMs: number;
  /** Seconds without a word from the master after which figures are stale. @defaultValue 15 */
  readonly maxLagSec: number;
}

const UNKNOWN: ReplicaStatus = Object.freeze({ role: 'unknown', linkUp: false, lagSeconds: null, syncing: false, stale: true, checkedAt: null, error: null });

/** Reads the fields that matter from an `INFO replication` reply. */
export function parseReplicationInfo(info: string, maxLagSec: number, now: number): ReplicaStatus {
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) fields.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const role = fields.get('role');
  if (role === 'master') return { role: 'master', linkUp: true, lagSeconds: 0, syncing: false, stale: false, checkedAt: now, error: null };
  if (role !== 'slave') return { ...UNKNOWN, checkedAt: now, error: `unexpected role ${role ?? '(none)'}` };
  const linkUp = fields.get('master_link_status') === 'up';
  const syncing = fields.get('master_sync_in_progress') === '1';
  // Redis reports -1 for a figure that does not apply (the link never came up).
  const seconds = Number(fields.get(linkUp ? 'master_last_io_seconds_ago' : 'master_link_down_since_seconds'));
  const lagSeconds = Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
  const stale = !linkUp || syncing || lagSeconds === null || lagSeconds > maxLagSec;
  return { role: 'replica', linkUp, lagSeconds, syncing, stale, checkedAt: now, error: null };
}

/**
 * Polls `INFO replication` on the read model's connection and keeps the latest answer. A
 * failed poll (Redis down, timeout) makes figures stale until a poll answers again.
 */
export class ReplicaMonitor {
  private current: ReplicaStatus = UNKNOWN;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly redis: Pick<Redis, 'info'>,
    private readonly opts: ReplicaCheckOptions,
  ) {}

  /** The latest status; what `GET /admin/sync` can include as it is. */
  status(): ReplicaStatus {
    return this.current;
  }

  isStale(): boolean {
    return this.current.stale;
  }

  /** Polls once now, then every `intervalMs`. */
  start(): Promise<void> {
    if (this.timer === null) {
      this.timer = setInterval(() => void this.poll(), this.opts.intervalMs);
      this.timer.unref();
    }
    return this.poll();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One poll; overlapping polls (a slow Redis) are skipped, not queued. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const info = await this.redis.info('replication');
      this.current = parseReplicationInfo(info, this.opts.maxLagSec, Date.now());
    } catch (e) {
      this.current = { ...UNKNOWN, checkedAt: this.current.checkedAt, error: (e as Error).message };
    } finally {
      this.polling = false;
    }
  }

  /** Exports the status as gauges, read at scrape time. */
  register(registry: Registry): void {
    const status = () => this.current;
    new Gauge({
      name: 'hopgate_read_model_replica_link_up',
      help: "1 when the read model's replication link is up (always 1 at the points site's master), 0 when down or unknown",
      registers: [registry],
      collect() {
        this.set(status().linkUp ? 1 : 0);
      },
    });
    new Gauge({
      name: 'hopgate_read_model_replica_lag_seconds',
      help: 'Seconds the read model may be behind its master: since it last heard from it (link up) or since the link went down; 0 at a master, NaN when unknown',
      registers: [registry],
      collect() {
        this.set(status().lagSeconds ?? Number.NaN);
      },
    });
    new Gauge({
      name: 'hopgate_read_model_stale',
      help: '1 while figures read from the read model may be behind the points site (replies say stale: true)',
      registers: [registry],
      collect() {
        this.set(status().stale ? 1 : 0);
      },
    });
  }
}
