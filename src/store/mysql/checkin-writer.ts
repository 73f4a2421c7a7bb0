import mysql, { type Connection as CallbackConnection } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import type { CheckIn, CheckInCommand } from '../../core/checkin.js';
import type { IdGenerator } from '../../core/ids.js';
import type { CheckInStorePort, CommitOutcome, CommitWatch } from '../../core/ports/checkin-store.port.js';
import type { CommitFeed, CommitSubscriber, CommittedCheckIn } from '../../core/ports/commit-feed.port.js';
import type { LocalCalendar } from '../../core/time.js';
import { CircuitBreaker } from '../../util/circuit-breaker.js';
import { BoundedMap } from '../../util/bounded-map.js';
import { RingBuffer } from '../../util/ring-buffer.js';
import { abandonConnection, isUnavailableError, queryBounded, type MysqlPool } from './pool.js';
import { ServerClock } from './server-clock.js';

export interface WriterOptions {
  readonly siteId: string;
  /** Bit mask of events owed at this site for a check-in made here (core/events.ts). */
  readonly owedMask: number;
  /**
   * Whether check-ins made here replicate to peer sites: each batch then also writes one
   * `sync_log` entry naming its check-ins (src/sync/, migration 008).
   */
  readonly replicate: boolean;
  readonly maxWaitMs: number;
  readonly maxBatchRows: number;
  readonly maxConcurrentBatches: number;
  readonly maxQueuedRows: number;
  readonly queryTimeoutMs: number;
  /**
   * How many of the keyed check-ins this writer committed last it remembers, so that a
   * repeat of a key is answered as a replay without a batch that the unique key would roll
   * back. 0 disables.
   */
  readonly recentKeys: number;
}

/** What the writer tells its subscribers after each commit. */
export type CommittedRow = CommittedCheckIn;

export interface WriterObserver {
  batchCommitted(rows: number, durationMs: number): void;
  batchFailed(rows: number, reason: string): void;
  /**
   * A keyed check-in answered as a replay of an earlier commit: from the writer's memory of
   * recent keys, or from MySQL after a batch met the unique key (and was written again
   * without it).
   */
  keyReplayed(source: 'memory' | 'mysql'): void;
}

interface Pending {
  readonly cmd: CheckInCommand;
  readonly city: string;
  readonly day: string;
  readonly resolve: (outcome: CommitOutcome) => void;
  /** `keyOf(cmd)`, made once; null for a check-in without a request key. */
  readonly key: string | null;
  /** Cleared once called: a check-in sent back to the queue (see resolveExistingKeys) is announced once. */
  onWriting: (() => void) | undefined;
  /** The caller's deadline; absent for callers that wait for the outcome however long. */
  readonly watch: CommitWatch | undefined;
  id: bigint;
  /** Later requests with the same (client, key) while this one is being written. */
  followers: Pending[] | null;
}

const DUP_REQUEST_KEY = 'uq_checkins_request';
/**
 * A check-in with less time than this before its caller's deadline is not sent: its batch
 * could hardly commit in time, and the batch's deadline (its earliest) would roll it all back.
 */
const MIN_REMAINING_MS = 15;

/**
 * Group-commit check-in writer. Concurrent check-ins are gathered for at most `maxWaitMs`
 * (or `maxBatchRows`) and written in ONE transaction, sent as ONE multi-statement round
 * trip: the check-ins, the reward-day claims, the users, the work each owes (one
 * `checkin_work` row with an event bit mask) and, with peers, one replication log entry. Every waiting
 * request is answered only after COMMIT returned: an acknowledged check-in is durable.
 *
 * Up to `maxConcurrentBatches` transactions run at once on separate connections, so a new
 * batch gathers while earlier ones wait for their fsync (InnoDB group-commits those too).
 */
export class GroupCommitWriter implements CheckInStorePort, CommitFeed {
  private readonly queue = new RingBuffer<Pending>(4096);
  private timer: NodeJS.Timeout | null = null;
  private inflight = 0;
  private readonly breaker: CircuitBreaker;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Keyed check-ins queued or being written, so a concurrent duplicate joins the first. */
  private readonly inflightKeys = new Map<string, Pending>();
  /**
   * Keyed check-ins committed here, oldest first. A telco resending a hop (USSD check-ins
   * are keyed by session and hop) would otherwise roll back a whole batch on the unique
   * key — and resends come in storms exactly when the gateway is slow.
   */
  private readonly recentKeys: BoundedMap<string, { readonly checkIn: CheckIn; readonly hash: string | null }>;
  /** Told after every commit of the rows just made durable (the pipeline, the sync thread). */
  private subscribers: readonly CommitSubscriber[] = [];
  /** The server's clock, for the deadline each batch checks on the server before COMMIT. */
  private readonly clock = new ServerClock();

  constructor(
    private readonly pool: MysqlPool,
    private readonly ids: IdGenerator,
    private readonly calendar: LocalCalendar,
    private readonly opts: WriterOptions,
    private readonly observer: WriterObserver,
  ) {
    this.breaker = new CircuitBreaker('mysql-writer', 3, 2000);
    this.recentKeys = new BoundedMap(opts.recentKeys);
  }

  subscribe(subscriber: CommitSubscriber): () => void {
    this.subscribers = [...this.subscribers, subscriber];
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== subscriber);
    };
  }

  get queued(): number {
    return this.queue.length;
  }

  get inflightBatches(): number {
    return this.inflight;
  }

  get breakerState(): string {
    return this.breaker.state;
  }

  commit(cmd: CheckInCommand, city: string, onWriting?: () => void, watch?: CommitWatch): Promise<CommitOutcome> {
    if (this.closed) return Promise.resolve(unavailable('the gateway is shutting down', 1));
    if (!this.breaker.allow()) {
      return Promise.resolve(unavailable('the database is unavailable', this.breaker.retryAfterSec()));
    }
    if (this.queue.length >= this.opts.maxQueuedRows) {
      return Promise.resolve(unavailable('too many check-ins waiting to be written', 1));
    }
    return new Promise<CommitOutcome>((resolve) => {
      const key = cmd.requestKey === null ? null : keyOf(cmd);
      const p: Pending = { cmd, city, day: this.calendar.day(cmd.at), resolve, key, onWriting, watch, id: 0n, followers: null };
      if (key !== null) {
        const leader = this.inflightKeys.get(key);
        if (leader) {
          (leader.followers ??= []).push(p);
          return;
        }
        const known = this.recentKeys.get(key);
        if (known) {
          this.observer.keyReplayed('memory');
          resolve({ kind: 'replay', checkIn: known.checkIn, sameRequest: known.hash === cmd.requestHash });
          return;
        }
        this.inflightKeys.set(key, p);
      }
      this.queue.push(p);
      this.schedule();
    });
  }

  async findByKey(clientId: string, requestKey: string): Promise<{ checkIn: CheckIn; requestHash: string | null } | null> {
    const known = this.recentKeys.get(requestKeyOf(clientId, requestKey));
    if (known) return { checkIn: known.checkIn, requestHash: known.hash };
    try {
      const [rows] = await queryBounded(this.pool, {
        sql: `SELECT ${STORED_CHECKIN_COLUMNS} FROM checkins c LEFT JOIN reward_days r ON r.checkin_id = c.id
               WHERE c.client_id = ? AND c.request_key = ?`,
        values: [clientId, requestKey],
        timeout: this.opts.queryTimeoutMs,
      });
      const row = (rows as StoredCheckInRow[])[0];
      return row ? { checkIn: rowToCheckIn(row), requestHash: row.request_hash } : null;
    } catch {
      return null;
    }
  }

  /**
   * A check-in this site holds (made here or arrived by sync), by id; null when there is
   * none. Throws when the store cannot tell now.
   */
  async findById(id: string): Promise<CheckIn | null> {
    const [rows] = await queryBounded(this.pool, {
      sql: `SELECT ${STORED_CHECKIN_COLUMNS} FROM checkins c LEFT JOIN reward_days r ON r.checkin_id = c.id WHERE c.id = ?`,
      values: [id],
      timeout: this.opts.queryTimeoutMs,
    });
    const row = (rows as StoredCheckInRow[])[0];
    return row ? rowToCheckIn(row) : null;
  }

  /** Stops taking check-ins and resolves once everything queued has been written. */
  async drain(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && this.inflight === 0) return;
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.flushNow();
    });
  }

  private schedule(): void {
    if (this.queue.length >= this.opts.maxBatchRows) {
      this.flushNow();
    } else if (this.timer === null) {
      this.timer = setTimeout(onTimer, this.opts.maxWaitMs, this);
    }
  }

  /** Starts batches while there is work and a free transaction slot. */
  flushNow(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.queue.length > 0 && this.inflight < this.opts.maxConcurrentBatches) {
      const batch = this.queue.take(this.opts.maxBatchRows);
      this.inflight++;
      void this.writeBatch(batch).finally(() => this.batchDone());
    }
  }

  private batchDone(): void {
    this.inflight--;
    // Whatever gathered while this batch was committing has waited long enough.
    if (this.queue.length > 0) this.flushNow();
    else if (this.inflight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    for (const p of batch) p.id = this.ids.next();
    for (let attempt = 1; ; attempt++) {
      let conn: PoolConnection | undefined;
      let sent = false;
      try {
        conn = await this.pool.getConnection();
        if (this.clock.stale(performance.now())) await this.readServerClock(conn);
        // Callers whose deadline passed while the batch waited (for a connection, a retry)
        // were answered, or are about to be, that their check-in was not written: it must not be.
        batch = this.withoutExpired(batch);
        if (batch.length === 0) return;
        const committedMs = Date.now();
        const transaction = this.runTransaction(conn, batch, committedMs);
        sent = true;
        announceWriting(batch);
        const results = await transaction;
        this.breaker.success();
        this.answerCommitted(batch, results, committedMs);
        this.observer.batchCommitted(batch.length, performance.now() - started);
        return;
      } catch (e) {
        let usable = false;
        if (conn !== undefined && isQueryTimeout(e)) {
          // The statement still runs on the server (mysql2 only stops waiting): a ROLLBACK would
          // queue behind it. Its deadline check keeps it from committing once its callers'
          // deadlines have passed (`deadlineCheck`).
          await this.abandon(conn);
          conn = undefined;
        } else if (conn !== undefined) {
          usable = await rollbackQuietly(this.pool, conn);
        }
        if (isRetryableConflict(e) && attempt < 3) continue;
        if (isIdCollision(e) && usable && attempt < 5) {
          // Another process of this site made the same id (they share the site number): new ids.
          for (const p of batch) p.id = this.ids.next();
          continue;
        }
        if (isDuplicateRequestKey(e) && usable && conn) {
          // Another process committed one of these keys first: answer those as replays and
          // write the rest again. Rare (needs two gateways and one key at the same moment).
          if (await this.resolveExistingKeys(conn, batch)) return;
        }
        const down = isUnavailableError(e);
        if (down) this.breaker.failure();
        const code = (e as { code?: string }).code ?? 'ERROR';
        if (isPastDeadline(e)) this.clock.forget(); // perhaps a loose reading: take a new one
        this.observer.batchFailed(batch.length, code);
        let outcome: CommitOutcome;
        if (sent && !isServerError(e)) {
          // The link failed with the transaction sent: it may have committed before the deadline.
          outcome = { kind: 'unknown', reason: `the outcome of the check-in is unknown (${code})`, retryAfterSec: this.breaker.retryAfterSec() };
        } else {
          const reason = down ? 'the database is unavailable' : `the check-in could not be written (${code})`;
          outcome = unavailable(reason, this.breaker.retryAfterSec());
        }
        for (const p of batch) this.settle(p, outcome);
        return;
      } finally {
        conn?.release();
      }
    }
  }

  /** Answers the check-ins too close to their deadline as not written; returns the others. */
  private withoutExpired(batch: Pending[]): Pending[] {
    const cutoff = performance.now() + MIN_REMAINING_MS;
    let kept: Pending[] | null = null;
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      if (p.watch === undefined || p.watch.deadlineAt > cutoff) {
        kept?.push(p);
        continue;
      }
      kept ??= batch.slice(0, i);
      this.settle(p, unavailable('the check-in could not be written before its deadline', 1));
    }
    return kept ?? batch;
  }

  /** One round trip for the server's clock (see ServerClock); before the batch, never inside it. */
  private async readServerClock(conn: PoolConnection): Promise<void> {
    const sentAt = performance.now();
    const [rows] = await conn.query({ sql: 'SELECT UNIX_TIMESTAMP(NOW(6)) * 1000 AS ms', timeout: this.opts.queryTimeoutMs });
    this.clock.observe(sentAt, Number((rows as Array<{ ms: string | number }>)[0]!.ms), performance.now());
  }

  private answerCommitted(batch: readonly Pending[], results: unknown[], committedMs: number): void {
    const rewarded = new Set((results[REWARD_RESULT] as Array<{ checkin_id: string }>).map((r) => String(r.checkin_id)));
    const rows: CommittedRow[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      const checkIn = toCheckIn(p, this.opts.siteId, rewarded.has(p.id.toString()));
      rows[i] = { id: checkIn.id, owed: this.opts.owedMask, committedMs, requestId: p.cmd.requestId, channel: p.cmd.channel, source: p.cmd.clientId };
      if (p.key !== null) this.recentKeys.set(p.key, { checkIn, hash: p.cmd.requestHash });
      this.settle(p, { kind: 'committed', checkIn });
    }
    for (const s of this.subscribers) s.committed(rows);
  }

  /** Answers a check-in and any duplicates that joined it while it was being written. */
  private settle(p: Pending, outcome: CommitOutcome): void {
    p.resolve(outcome);
    if (p.key === null) return;
    this.inflightKeys.delete(p.key);
    if (p.followers === null) return;
    for (const f of p.followers) {
      f.resolve(
        outcome.kind === 'unavailable' || outcome.kind === 'unknown'
          ? outcome
          : {
              kind: 'replay',
              checkIn: outcome.checkIn,
              sameRequest: f.cmd.requestHash === p.cmd.requestHash && (outcome.kind === 'committed' || outcome.sameRequest),
            },
      );
    }
  }

  /**
   * The batch goes through mysql2's callback API: its promise wrapper captures a stack trace
   * for every query, which a batch on the hot path does not need (errors keep their codes).
   */
  private runTransaction(conn: PoolConnection, batch: readonly Pending[], committedMs: number): Promise<unknown[]> {
    const sql = buildBatchSql(batch, this.opts, committedMs, this.serverDeadline(batch));
    return new Promise((resolve, reject) => {
      // At run time `connection` is mysql2's callback connection (its typings say otherwise).
      const raw = conn.connection as unknown as CallbackConnection;
      raw.query({ sql, timeout: this.opts.queryTimeoutMs }, (err, results) => (err ? reject(err) : resolve(results as unknown as unknown[])));
    });
  }

  /**
   * The server time (epoch ms) by which the batch must reach its COMMIT: its earliest
   * caller's deadline, through the server clock's lower bound. Null when no caller set one.
   */
  private serverDeadline(batch: readonly Pending[]): number | null {
    let earliest = Infinity;
    for (const p of batch) if (p.watch !== undefined && p.watch.deadlineAt < earliest) earliest = p.watch.deadlineAt;
    return earliest === Infinity ? null : this.clock.toServerMs(earliest);
  }

  /** Ends a connection whose statement timed out (KILL bounded by the query timeout, ≤ 1 s). */
  private abandon(conn: PoolConnection): Promise<void> {
    return abandonConnection(this.pool, conn, Math.min(this.opts.queryTimeoutMs, 1000));
  }

  private async resolveExistingKeys(conn: PoolConnection, batch: Pending[]): Promise<boolean> {
    const keyed = batch.filter((p) => p.cmd.requestKey !== null);
    let rows: unknown;
    try {
      [rows] = await conn.query({
      // A table value constructor joined on the key, not `(a, b) IN (…)`: MariaDB's range
      // optimizer spends tens of ms planning a long tuple list (see docs/events.md).
      sql: `WITH k (cl, rk) AS (VALUES ?)
            SELECT ${STORED_CHECKIN_COLUMNS}
              FROM k STRAIGHT_JOIN checkins c ON c.client_id = k.cl AND c.request_key = k.rk
              LEFT JOIN reward_days r ON r.checkin_id = c.id`,
      values: [keyed.map((p) => [p.cmd.clientId, p.cmd.requestKey])],
      timeout: this.opts.queryTimeoutMs,
      });
    } catch (e) {
      // Not left running on a connection the pool would hand out again (release is then a no-op).
      if (isQueryTimeout(e)) await this.abandon(conn);
      return false;
    }
    const existing = new Map<string, StoredCheckInRow>();
    for (const r of rows as StoredCheckInRow[]) existing.set(requestKeyOf(r.client_id, r.request_key), r);
    for (const p of batch) {
      const row = p.key === null ? undefined : existing.get(p.key);
      if (row) {
        this.observer.keyReplayed('mysql');
        this.settle(p, { kind: 'replay', checkIn: rowToCheckIn(row), sameRequest: row.request_hash === p.cmd.requestHash });
      } else {
        this.queue.push(p); // written with the next batch
      }
    }
    return true;
  }
}

function onTimer(writer: GroupCommitWriter): void {
  writer.flushNow();
}

/**
 * Columns of a stored check-in as `StoredCheckInRow`, from `checkins c LEFT JOIN reward_days r
 * ON r.checkin_id = c.id` (the reward day a check-in won, if any, says it was rewarded).
 */
const STORED_CHECKIN_COLUMNS =
  'c.id, c.msisdn, c.venue_id, c.channel, c.site, c.at_ms, r.checkin_id IS NOT NULL AS rewarded, c.client_id, c.request_key, c.request_hash';

export interface StoredCheckInRow {
  id: string;
  msisdn: string;
  venue_id: string;
  channel: string;
  site: string;
  at_ms: string | number;
  rewarded: number;
  client_id: string;
  request_key: string | null;
  request_hash: string | null;
}

export function rowToCheckIn(r: StoredCheckInRow): CheckIn {
  return {
    id: String(r.id),
    msisdn: r.msisdn,
    venueId: r.venue_id,
    site: r.site,
    channel: r.channel as CheckIn['channel'],
    at: Number(r.at_ms),
    rewarded: r.rewarded === 1,
  };
}

function toCheckIn(p: Pending, site: string, rewarded: boolean): CheckIn {
  return {
    id: p.id.toString(),
    msisdn: p.cmd.msisdn,
    venueId: p.cmd.venueId,
    site,
    channel: p.cmd.channel,
    at: p.cmd.at,
    rewarded,
  };
}

function keyOf(cmd: CheckInCommand): string {
  return requestKeyOf(cmd.clientId, cmd.requestKey);
}

/** A request key as the writer's maps know it: per client. */
function requestKeyOf(clientId: string, requestKey: string | null): string {
  return `${clientId}\u0000${requestKey}`;
}

const esc = mysql.escape;
/** Index of the reward-claim statement's result: after START TRANSACTION and the users upsert. */
const REWARD_RESULT = 2;

/**
 * One transaction as one multi-statement string. The result of statement REWARD_RESULT
 * lists the check-ins that won their reward day. All values are escaped.
 */
export function buildBatchSql(
  batch: readonly Pending[],
  opts: Pick<WriterOptions, 'siteId' | 'owedMask' | 'replicate'>,
  committedMs: number,
  serverDeadlineMs: number | null = null,
): string {
  const site = esc(opts.siteId);
  const users: string[] = [];
  const rewards: string[] = [];
  const checkins: string[] = [];
  const work: string[] = [];
  const ids: string[] = [];
  for (const p of batch) {
    const c = p.cmd;
    const id = p.id.toString();
    const msisdn = esc(c.msisdn);
    const venue = esc(c.venueId);
    const day = esc(p.day);
    users.push(`(${msisdn},${site},${esc(p.city)},${c.at},${c.at})`);
    rewards.push(`(${msisdn},${venue},${day},${id})`);
    // Whether it was rewarded is not stored here: reward_days says so (migration 005).
    checkins.push(`(${id},${msisdn},${venue},${esc(c.channel)},${site},${c.at},${day},${esc(c.clientId)},${esc(c.requestKey)},${esc(c.requestHash)})`);
    work.push(`(${id},${opts.owedMask},${opts.owedMask},${committedMs})`);
    if (opts.replicate) ids.push(id);
  }
  // Rows of shared tables in key order: concurrent batches then take row locks in the same
  // order and cannot deadlock each other. The sort is stable, so the first check-in of a
  // user, venue and day in arrival order still wins the reward.
  users.sort();
  rewards.sort(compareRewardTuples);
  return (
    'START TRANSACTION;' +
    `INSERT INTO users (msisdn, home_site, city, created_at, updated_at) VALUES ${users.join(',')} ON DUPLICATE KEY UPDATE msisdn = msisdn;` +
    // IGNORE skips the claims that lost (the day's first check-in holds the key); RETURNING
    // lists the winners. Values are validated at the edge, so IGNORE hides nothing else.
    `INSERT IGNORE INTO reward_days (msisdn, venue_id, day, checkin_id) VALUES ${rewards.join(',')} RETURNING checkin_id;` +
    `INSERT INTO checkins (id, msisdn, venue_id, channel, site, at_ms, day, client_id, request_key, request_hash) VALUES ${checkins.join(',')};` +
    (opts.owedMask !== 0 ? `INSERT INTO checkin_work (checkin_id, owed, pending, committed_ms) VALUES ${work.join(',')};` : '') +
    // The deadline check comes after every statement that may wait for a row lock, and before
    // the log entry, so a batch refused as late allocates no log seq.
    (serverDeadlineMs !== null ? deadlineCheck(serverDeadlineMs) : '') +
    // Last before COMMIT: all row locks are held by now, so the log entry's seq becomes
    // visible within one commit of being allocated (the sender's gap rule relies on it).
    (opts.replicate ? `INSERT INTO sync_log (kind, refs, n, created_ms) VALUES ('checkin','${ids.join(',')}',${ids.length},${committedMs});` : '') +
    'COMMIT'
  );
}

/**
 * The batch's last statement before COMMIT: fails (and the multi-statement stops, so COMMIT
 * never runs) when the server's clock is past the deadline its callers were promised. Bytes
 * can sit in a frozen link and reach the server long after the callers were answered; a
 * server-side timeout (`max_statement_time`) would start counting only then. Both sides of
 * this comparison are the server's clock.
 */
function deadlineCheck(serverDeadlineMs: number): string {
  const sec = (Math.floor(serverDeadlineMs) / 1000).toFixed(3);
  return `BEGIN NOT ATOMIC IF UNIX_TIMESTAMP(NOW(6)) > ${sec} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${PAST_DEADLINE}'; END IF; END;`;
}

const PAST_DEADLINE = 'hopgate: the batch reached the server after its deadline';

function isPastDeadline(e: unknown): boolean {
  const err = e as { sqlState?: string; message?: string } | null;
  return err?.sqlState === '45000' && err.message === PAST_DEADLINE;
}

/** The server answered the statement with an error: the transaction did not commit. */
function isServerError(e: unknown): boolean {
  return typeof (e as { sqlState?: unknown } | null)?.sqlState === 'string';
}

/** Tells the batch's callers their check-in is being sent (its outcome is in doubt until answered). */
function announceWriting(batch: readonly Pending[]): void {
  for (const p of batch) {
    if (p.watch !== undefined) p.watch.inDoubt = true;
    if (p.onWriting !== undefined) {
      p.onWriting();
      p.onWriting = undefined;
    }
  }
}

/** Orders `(msisdn,venue,day,id)` tuples by key only, keeping arrival order among equals. */
function compareRewardTuples(a: string, b: string): number {
  const ka = a.slice(0, a.lastIndexOf(','));
  const kb = b.slice(0, b.lastIndexOf(','));
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function unavailable(reason: string, retryAfterSec: number): CommitOutcome {
  return { kind: 'unavailable', reason, retryAfterSec };
}

function isDuplicateRequestKey(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'ER_DUP_ENTRY' && typeof err.message === 'string' && err.message.includes(DUP_REQUEST_KEY);
}

/**
 * Rolls back; returns false when the connection is broken (the server rolls back itself) or
 * the ROLLBACK timed out (then the connection is ended, not pooled while it runs).
 */
async function rollbackQuietly(pool: MysqlPool, conn: PoolConnection): Promise<boolean> {
  try {
    await conn.query({ sql: 'ROLLBACK', timeout: 1000 });
    return true;
  } catch (e) {
    if (isQueryTimeout(e)) await abandonConnection(pool, conn);
    return false;
  }
}

/** Only ids are primary keys the batch inserts without IGNORE or ON DUPLICATE KEY. */
function isIdCollision(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'ER_DUP_ENTRY' && typeof err.message === 'string' && err.message.includes("'PRIMARY'");
}

function isQueryTimeout(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'PROTOCOL_SEQUENCE_TIMEOUT';
}

function isRetryableConflict(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}
