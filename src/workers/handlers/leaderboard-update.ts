import type { ChainableCommander } from 'ioredis';
import { EVENT_BIT } from '../../core/events.js';
import { encodeScore, readModelKeys } from '../../core/leaderboard.js';
import { failure } from '../errors.js';
import { execPipeline } from '../redis-exec.js';
import { sqlIds } from '../../store/mysql/sql-ids.js';
import type { BatchScratch, Standing, TotalRow } from '../batch-scratch.js';
import type { WorkerContext } from '../worker-context.js';
import type { HandlerOutcome, WorkItem } from '../work-item.js';
import type { EventHandler } from './handler.js';

/** Week boards are kept ten weeks after their last update. */
export const WEEK_BOARD_TTL_SEC = 70 * 86_400;

const POINTS_BIT = EVENT_BIT['points.award'];

/** Users per lb-apply-n.lua call (≈ 1–2 ms of Redis time). */
const USERS_PER_CALL = 200;

/**
 * Publishes the users' totals (global, city, ISO week) to the read model with
 * `lb-apply-n.lua`: the script only ever raises a score to the given total, so replays and
 * out-of-order batches cannot add points twice. One pipeline per batch, a few hundred users per EVALSHA.
 *
 * The totals are those `points.award` wrote in this batch's transaction (its upserts return
 * them); only a check-in that may carry points and whose award committed in an earlier run
 * (a retry) has them read from MySQL. A check-in that changed no total has nothing to
 * publish: the batch that changed it publishes it.
 */
export const leaderboardUpdate: EventHandler = {
  event: 'leaderboard.update',
  after: ['points.award'],
  doneInApply: false,
  async publish(ctx: WorkerContext, items: readonly WorkItem[], scratch: BatchScratch): Promise<HandlerOutcome> {
    const awardError = await publishAwards(ctx, items);
    if (awardError) {
      const f = failure('EVENT_REDIS_ERROR', awardError);
      return { done: [], failed: items.map((i) => ({ id: i.id, ...f })) };
    }
    const entries = new Map<string, Entry>();
    const earlier: Entry[] = [];
    for (const item of items) {
      if (item.city === null || !item.rewarded) continue;
      const week = item.isoWeek;
      const key = `${item.msisdn}\u0000${item.city}\u0000${week}`;
      if (entries.has(key)) continue;
      const e: Entry = { msisdn: item.msisdn, city: item.city, week };
      if (scratch.earned.has(item.id)) entries.set(key, e);
      else if ((item.loadedPending & POINTS_BIT) === 0) {
        entries.set(key, e);
        earlier.push(e);
      }
    }
    if (entries.size === 0) return { done: items.map((i) => i.id), failed: [] };
    const totals = new Map(scratch.userTotals);
    const cities = new Map(scratch.cityTotals);
    const weeks = new Map(scratch.weekTotals);
    if (earlier.length > 0) await readTotals(ctx, earlier, totals, cities, weeks);
    // Chunks of users per EVALSHA: one command instead of one per user, short enough not to
    // hold Redis (shared with the request path) for long.
    const pipeline = ctx.redis.pipeline() as unknown as PipelineWithScripts;
    const now = Date.now();
    let keys: string[] = [];
    let args: Array<string | number> = [];
    const flush = () => {
      pipeline.lbApply(keys.length, ...keys, now, WEEK_BOARD_TTL_SEC, ...args);
      keys = [];
      args = [];
    };
    let commands = 0;
    for (const e of entries.values()) {
      const total = totals.get(e.msisdn);
      if (!total || total.total <= 0) continue;
      const city = cities.get(`${e.msisdn}\u0000${e.city}`) ?? ZERO;
      const week = weeks.get(`${e.msisdn}\u0000${e.week}`) ?? ZERO;
      keys.push(
        readModelKeys.user(e.msisdn),
        readModelKeys.board('global', e.week),
        readModelKeys.board(`city:${e.city.toLowerCase()}`, e.week),
        readModelKeys.board('week', e.week),
      );
      args.push(
        e.msisdn,
        total.total,
        String(encodeScore(total.total, total.reachedMs)),
        city.total,
        String(encodeScore(city.total, city.reachedMs)),
        week.total,
        String(encodeScore(week.total, week.reachedMs)),
        total.city ?? e.city,
      );
      if (keys.length >= USERS_PER_CALL * 4) flush();
      commands++;
    }
    if (keys.length > 0) flush();
    if (commands > 0) {
      const error = await execPipeline(pipeline as unknown as ChainableCommander, false);
      if (error) {
        const f = failure('EVENT_REDIS_ERROR', error);
        return { done: [], failed: items.map((i) => ({ id: i.id, ...f })) };
      }
    }
    return { done: items.map((i) => i.id), failed: [] };
  },
};

/** How long a check-in's award stays readable for its origin's confirmation. */
export const AWARD_TTL_SEC = 3 * 86_400;

/**
 * For check-ins made at other sites: what the ledger gave each (reward decided here, points,
 * the user's total), published to the read model, whose replica at the origin site lets its
 * `notify.user` state the real award (notify-user.ts). Read from MySQL after the award
 * committed, so a retried batch publishes the same figures.
 */
async function publishAwards(ctx: WorkerContext, items: readonly WorkItem[]): Promise<string | null> {
  const foreign = items.filter((i) => i.site !== ctx.config.siteId);
  if (foreign.length === 0) return null;
  const [p] = await ctx.mysql.query('SELECT CAST(checkin_id AS CHAR) AS id, SUM(points) AS p FROM points_ledger WHERE checkin_id IN (?) GROUP BY checkin_id', [
    sqlIds(foreign.map((i) => i.id)),
  ]);
  const [t] = await ctx.mysql.query('SELECT msisdn, total FROM user_totals WHERE msisdn IN (?)', [[...new Set(foreign.map((i) => i.msisdn))]]);
  const points = new Map((p as Array<{ id: string; p: string | number }>).map((r) => [r.id, Number(r.p)]));
  const totals = new Map((t as Array<{ msisdn: string; total: string | number }>).map((r) => [r.msisdn, Number(r.total)]));
  const pipeline = ctx.redis.pipeline();
  for (const i of foreign) {
    pipeline.set(readModelKeys.award(i.id), `${i.rewarded ? 1 : 0}:${points.get(i.id) ?? 0}:${totals.get(i.msisdn) ?? 0}`, 'EX', AWARD_TTL_SEC);
  }
  return execPipeline(pipeline, false);
}

interface Entry {
  readonly msisdn: string;
  readonly city: string;
  readonly week: string;
}

/** Current totals from MySQL for check-ins whose award committed in an earlier run. */
async function readTotals(
  ctx: WorkerContext,
  list: readonly Entry[],
  totals: Map<string, Standing & { city?: string }>,
  cities: Map<string, Standing>,
  weeks: Map<string, Standing>,
): Promise<void> {
  const db = ctx.mysql;
  const [t] = await db.query('SELECT msisdn, total, reached_ms, city FROM user_totals WHERE msisdn IN (?)', [[...new Set(list.map((e) => e.msisdn))]]);
  // Key tuples as a table value constructor joined on the key: a `(a, b) IN (…)` list costs
  // MariaDB's range optimizer far more than the look-ups themselves.
  const [c] = await db.query(
    'WITH k (m, c) AS (VALUES ?) SELECT t.msisdn, t.city, t.total, t.reached_ms FROM k STRAIGHT_JOIN user_city_totals t ON t.msisdn = k.m AND t.city = k.c',
    [uniq(list.map((e) => [e.msisdn, e.city]))],
  );
  const [w] = await db.query(
    'WITH k (m, w) AS (VALUES ?) SELECT t.msisdn, t.week, t.total, t.reached_ms FROM k STRAIGHT_JOIN user_week_totals t ON t.msisdn = k.m AND t.week = k.w',
    [uniq(list.map((e) => [e.msisdn, e.week]))],
  );
  for (const [k, v] of index(t as TotalRow[], (r) => r.msisdn)) totals.set(k, v);
  for (const [k, v] of index(c as TotalRow[], (r) => `${r.msisdn}\u0000${r.city}`)) cities.set(k, v);
  for (const [k, v] of index(w as TotalRow[], (r) => `${r.msisdn}\u0000${r.week}`)) weeks.set(k, v);
}

interface PipelineWithScripts {
  lbApply(numKeys: number, ...keysAndArgs: Array<string | number>): void;
}

const ZERO: Standing & { city?: string } = { total: 0, reachedMs: 0 };

function index(rows: readonly TotalRow[], key: (r: TotalRow) => string): Map<string, Standing & { city?: string }> {
  const m = new Map<string, Standing & { city?: string }>();
  for (const r of rows) {
    const s: Standing & { city?: string } = { total: Number(r.total), reachedMs: Number(r.reached_ms) };
    if (r.city !== undefined) s.city = r.city;
    m.set(key(r), s);
  }
  return m;
}

function uniq(tuples: string[][]): string[][] {
  const m = new Map<string, string[]>();
  for (const t of tuples) m.set(t.join('\u0000'), t);
  return [...m.values()];
}
