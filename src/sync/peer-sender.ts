import type { Logger } from 'pino';
import type { LogBacklog, ReplicationLogPort } from '../core/ports/replication-log.port.js';
import { CircuitBreaker } from '../util/circuit-breaker.js';
import { fullJitterMs } from './backoff.js';
import { LogCursor } from './log-cursor.js';
import type { SyncConfig } from './sync-config.js';
import type { PeerStatus } from './thread-protocol.js';
import { SendError, type PeerTransport } from './transport.js';

interface OutgoingBatch {
  readonly seqs: readonly number[];
  readonly records: number;
  readonly oldestMs: number;
  readonly body: string;
}

/** Log entries read per look; a batch takes entries until it holds `batchMaxRecords` records. */
const ENTRIES_PER_READ = 256;
const CURSOR_SAVE_MS = 500;
const BACKLOG_REFRESH_MS = 1000;

/**
 * Sends this site's replication log to one peer, independently of every other peer: its own
 * cursor, breaker, backoff and connection pool, so a dead or slow peer delays no one else.
 * One batch is in flight at a time; a batch that failed is sent again as it was (same
 * entries) after a backoff with full jitter; the peer's inbox makes a resend harmless.
 */
export class PeerSender {
  private state: PeerStatus['state'] = 'starting';
  private cursor: LogCursor | null = null;
  private pending: OutgoingBatch | null = null;
  private readonly breaker: CircuitBreaker;
  private stopping = false;
  private wake: (() => void) | null = null;
  private attempt = 0;
  private savedCursor = 0;
  private lastSave = 0;
  private lastHoleCheck = 0;
  private backlog: LogBacklog = { entries: 0, records: 0, oldestMs: null };
  private lastBacklog = 0;
  private counters = { sentRecords: 0, sentBatches: 0, retries: 0, rejectedRecords: 0 };
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private lastSuccessAt: number | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    readonly peer: string,
    private readonly origin: string,
    private readonly transport: PeerTransport,
    private readonly log: ReplicationLogPort,
    private readonly cfg: SyncConfig,
    private readonly logger: Logger,
  ) {
    this.breaker = new CircuitBreaker(`sync-${peer}`, cfg.breakerFailures, cfg.breakerOpenMs);
  }

  start(): void {
    this.stopping = false;
    this.loop ??= this.run().finally(() => {
      this.loop = null;
    });
  }

  /** Entries were committed: look now. */
  nudge(): void {
    this.wake?.();
  }

  /** Lets the batch in flight finish (bounded by the request timeout), saves the cursor. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.state = 'stopped';
  }

  /** For standby processes: not sending, so not reporting a stale view as its own. */
  standby(): void {
    this.state = 'standby';
  }

  /** Every entry ≤ this was acknowledged (the pruner keeps entries above every peer's). */
  get durableCursor(): number {
    return this.savedCursor;
  }

  status(nowMs: number): PeerStatus {
    const oldest = Math.min(this.pending?.oldestMs ?? Infinity, this.backlog.oldestMs ?? Infinity);
    return {
      peer: this.peer,
      url: this.transport.url,
      state: this.state,
      breaker: this.breaker.state,
      cursor: this.cursor?.cursor ?? this.savedCursor,
      highestRead: this.cursor?.highest ?? this.savedCursor,
      holes: this.cursor?.holes.length ?? 0,
      backlogRecords: (this.pending?.records ?? 0) + this.backlog.records,
      backlogEntries: (this.pending?.seqs.length ?? 0) + this.backlog.entries,
      lagSeconds: Number.isFinite(oldest) ? Math.max(0, (nowMs - oldest) / 1000) : 0,
      ...this.counters,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      lastSuccessAt: this.lastSuccessAt,
    };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.cursor === null) {
          this.savedCursor = await this.log.cursor(this.peer);
          this.cursor = new LogCursor(this.savedCursor, this.cfg.gapTimeoutMs);
        }
        await this.refreshBacklog();
        this.pending ??= await this.nextBatch();
        if (this.pending === null) {
          this.state = 'idle';
          await this.saveCursor(false);
          await this.sleep(this.cfg.pollIntervalMs, true);
          continue;
        }
        if (!this.breaker.allow()) {
          this.state = 'backoff';
          await this.sleep(this.breaker.retryAfterSec() * 1000, false);
          continue;
        }
        this.state = 'sending';
        await this.sendPending();
      } catch (e) {
        this.failed(e);
        this.state = 'backoff';
        await this.sleep(fullJitterMs(this.attempt, this.cfg.backoffBaseMs, this.cfg.backoffCapMs), false);
      }
    }
    await this.saveCursor(true).catch((e: unknown) => this.logger.warn({ peer: this.peer, err: (e as Error).message }, 'sync cursor not saved at stop'));
  }

  private async sendPending(): Promise<void> {
    const batch = this.pending!;
    let reply;
    try {
      reply = await this.transport.send(batch.body, Date.now());
    } catch (e) {
      this.breaker.failure();
      this.counters.retries++;
      throw e;
    }
    this.breaker.success();
    const now = Date.now();
    if (reply.rejected.length > 0) {
      await this.log.park(this.peer, reply.rejected, now);
      this.counters.rejectedRecords += reply.rejected.length;
      this.logger.warn({ peer: this.peer, rejected: reply.rejected.length, first: reply.rejected[0] }, 'peer refused records: parked as sync dead letters');
    }
    this.cursor!.acknowledged(batch.seqs, now);
    this.counters.sentRecords += batch.records;
    this.counters.sentBatches++;
    this.pending = null;
    this.attempt = 0;
    this.lastSuccessAt = now;
    await this.saveCursor(false);
  }

  private failed(e: unknown): void {
    this.attempt++;
    const message = e instanceof SendError ? `${e.code}: ${e.message}` : `${(e as { code?: string }).code ?? 'ERROR'}: ${(e as Error).message}`;
    if (this.lastError !== message || this.attempt === 1) {
      this.logger.warn({ peer: this.peer, attempt: this.attempt, err: message }, 'sync attempt failed; backing off');
    }
    this.lastError = message;
    this.lastErrorAt = Date.now();
  }

  /** The next entries to send: holes that appeared first, then what follows the highest read. */
  private async nextBatch(): Promise<OutgoingBatch | null> {
    const cursor = this.cursor!;
    const now = Date.now();
    const refs = [];
    const holes = cursor.holes;
    if (holes.length > 0 && now - this.lastHoleCheck >= this.cfg.pollIntervalMs) {
      this.lastHoleCheck = now;
      const found = await this.log.readSeqs(holes.slice(0, 1000));
      cursor.read(found.map((e) => e.seq), now);
      refs.push(...found);
    }
    cursor.advance(now);
    let records = refs.reduce((n, e) => n + e.refs.length, 0);
    if (records < this.cfg.batchMaxRecords) {
      for (const e of await this.log.readAfter(cursor.highest, ENTRIES_PER_READ)) {
        if (refs.length > 0 && records + e.refs.length > this.cfg.batchMaxRecords) break;
        cursor.read([e.seq], now);
        refs.push(e);
        records += e.refs.length;
      }
    }
    if (refs.length === 0) return null;
    const entries = await this.log.resolve(refs);
    return {
      seqs: refs.map((e) => e.seq),
      records,
      oldestMs: Math.min(...refs.map((e) => e.createdMs)),
      body: JSON.stringify({ origin: this.origin, to: this.peer, entries }),
    };
  }

  private async saveCursor(force: boolean): Promise<void> {
    const c = this.cursor;
    if (c === null || c.cursor === this.savedCursor) return;
    const now = Date.now();
    if (!force && now - this.lastSave < CURSOR_SAVE_MS) return;
    await this.log.saveCursor(this.peer, c.cursor, now);
    this.savedCursor = c.cursor;
    this.lastSave = now;
  }

  private async refreshBacklog(): Promise<void> {
    const now = Date.now();
    if (now - this.lastBacklog < BACKLOG_REFRESH_MS || this.cursor === null) return;
    this.lastBacklog = now;
    this.backlog = await this.log.backlog(Math.max(this.cursor.highest, this.pending ? Math.max(...this.pending.seqs) : 0));
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.wake === wakeUp) self.wake = null;
        resolve();
      }
      // A nudge ends an idle wait; a stop ends any wait.
      const wakeUp = (): void => {
        if (wakeable || this.stopping) done();
      };
      this.wake = wakeUp;
    });
  }
}
