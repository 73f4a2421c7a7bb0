import type { ChainableCommander } from 'ioredis';
import { encodeScore, readModelKeys } from '../../core/leaderboard.js';
import { isoWeekOfDayNumber } from '../../core/time.js';
import { failure } from '../errors.js';
import { execPipeline } from '../redis-exec.js';
import type { WorkerContext } from '../worker-context.js';
import type { HandlerOutcome, WorkItem } from '../work-item.js';
import type { EventHandler } from './handler.js';

/** Week boards are kept ten weeks after their last update. */
export const WEEK_BOARD_TTL_SEC = 70 * 86_400;

interface Standing {
  total: number;
  reachedMs: number;
}

/**
 * Publishes the users' totals (global, city, ISO week), read from MySQL after points.award
 * committed, to the read model with `lb-apply-4.lua`: the script only ever raises a score to
 * the given total, so replays and out-of-order batches cannot add points twice. One
 * pipeline of EVALSHAs per batch.
 */
export const leaderboardUpdate: EventHandler = {
  event: 'leaderboard.update',
  after: ['points.award'],
  clearsOwnBit: false,
  async run(ctx: WorkerContext, items: readonly WorkItem[]): Promise<HandlerOutcome> {
    const entries = new Map<string, { msisdn: string; city: string; week: string }>();
    for (const item of items) {
      if (item.city === null) continue;
      const week = isoWeekOfDayNumber(item.day);
      entries.set(`${item.msisdn}\u0000${item.city}\u0000${week}`, { msisdn: item.msisdn, city: item.city, week });
    }
    if (entries.size > 0) {
      const list = [...entries.values()];
      const db = ctx.mysql;
      const [t] = await db.query('SELECT msisdn, total, reached_ms, city FROM user_totals WHERE msisdn IN (?)', [
        [...new Set(list.map((e) => e.msisdn))],
      ]);
      const [c] = await db.query('SELECT msisdn, city, total, reached_ms FROM user_city_totals WHERE (msisdn, city) IN (?)', [
        uniq(list.map((e) => [e.msisdn, e.city])),
      ]);
      const [w] = await db.query('SELECT msisdn, week, total, reached_ms FROM user_week_totals WHERE (msisdn, week) IN (?)', [
        uniq(list.map((e) => [e.msisdn, e.week])),
      ]);
      const totals = index(t as TotalRow[], (r) => r.msisdn);
      const cities = index(c as TotalRow[], (r) => `${r.msisdn}\u0000${r.city}`);
      const weeks = index(w as TotalRow[], (r) => `${r.msisdn}\u0000${r.week}`);
      const pipeline = ctx.redis.pipeline() as unknown as PipelineWithScripts;
      let commands = 0;
      const now = Date.now();
      for (const e of list) {
        const total = totals.get(e.msisdn);
        if (!total || total.total <= 0) continue;
        const city = cities.get(`${e.msisdn}\u0000${e.city}`) ?? ZERO;
        const week = weeks.get(`${e.msisdn}\u0000${e.week}`) ?? ZERO;
        pipeline.lbApply(
          readModelKeys.user(e.msisdn),
          readModelKeys.board('global', e.week),
          readModelKeys.board(`city:${e.city.toLowerCase()}`, e.week),
          readModelKeys.board('week', e.week),
          e.msisdn,
          total.total,
          String(encodeScore(total.total, total.reachedMs)),
          city.total,
          String(encodeScore(city.total, city.reachedMs)),
          week.total,
          String(encodeScore(week.total, week.reachedMs)),
          total.city ?? e.city,
          now,
          WEEK_BOARD_TTL_SEC,
        );
        commands++;
      }
      if (commands > 0) {
        const error = await execPipeline(pipeline as unknown as ChainableCommander, false);
        if (error) {
          const f = failure('EVENT_REDIS_ERROR', error);
          return { done: [], failed: items.map((i) => ({ id: i.id, ...f })) };
        }
      }
    }
    return { done: items.map((i) => i.id), failed: [] };
  },
};

interface TotalRow {
  msisdn: string;
  city?: string;
  week?: string;
  total: number | string;
  reached_ms: number | string;
}

interface PipelineWithScripts {
  lbApply(...args: Array<string | number>): void;
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
