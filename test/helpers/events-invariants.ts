import { existsSync, readFileSync } from 'node:fs';
import { decodePoints } from '../../src/core/leaderboard.js';
import type { EventsEnv } from './events-env.js';

export interface InvariantReport {
  readonly users: number;
  readonly ledgerRows: number;
  readonly problems: string[];
  readonly notificationsSent: number;
  readonly duplicateNotifications: string[];
}

/**
 * The exactly-once checks: totals = ledger sums (overall, city, week), board scores = those
 * totals, no notification key twice in the sink, nothing left pending.
 */
export type InvariantTarget = Pick<EventsEnv, 'db' | 'redis' | 'key' | 'notifyFile'>;

export async function checkInvariants(env: InvariantTarget, opts: { allowDead?: boolean } = {}): Promise<InvariantReport> {
  const problems: string[] = [];
  const q = async <T>(sql: string): Promise<T[]> => (await env.db.query(sql))[0] as T[];
  const mismatched = await q<{ msisdn: string }>(
    `SELECT t.msisdn FROM user_totals t LEFT JOIN (SELECT msisdn, SUM(points) s FROM points_ledger GROUP BY msisdn) l
       ON l.msisdn = t.msisdn WHERE l.s IS NULL OR l.s <> t.total
     UNION ALL
     SELECT l.msisdn FROM (SELECT msisdn FROM points_ledger GROUP BY msisdn) l LEFT JOIN user_totals t ON t.msisdn = l.msisdn WHERE t.msisdn IS NULL`,
  );
  for (const r of mismatched) problems.push(`total != ledger sum for ${r.msisdn}`);
  const cityBad = await q<{ n: string }>(
    `SELECT COUNT(*) n FROM (SELECT msisdn, city, SUM(points) s FROM points_ledger GROUP BY msisdn, city) l
       LEFT JOIN user_city_totals t ON t.msisdn = l.msisdn AND t.city = l.city WHERE t.total IS NULL OR t.total <> l.s`,
  );
  if (Number(cityBad[0]!.n) > 0) problems.push(`${cityBad[0]!.n} city totals differ from the ledger`);
  const weekBad = await q<{ n: string }>(
    `SELECT COUNT(*) n FROM (SELECT msisdn, week, SUM(points) s FROM points_ledger GROUP BY msisdn, week) l
       LEFT JOIN user_week_totals t ON t.msisdn = l.msisdn AND t.week = l.week WHERE t.total IS NULL OR t.total <> l.s`,
  );
  if (Number(weekBad[0]!.n) > 0) problems.push(`${weekBad[0]!.n} week totals differ from the ledger`);

  const totals = await q<{ msisdn: string; total: string }>('SELECT msisdn, total FROM user_totals WHERE total > 0');
  const board = await env.redis.zrange(env.key('lb:global'), 0, -1, 'WITHSCORES');
  const scores = new Map<string, number>();
  for (let i = 0; i < board.length; i += 2) scores.set(board[i]!, decodePoints(Number(board[i + 1])));
  for (const t of totals) {
    if (scores.get(t.msisdn) !== Number(t.total)) problems.push(`board score ${scores.get(t.msisdn)} != total ${t.total} for ${t.msisdn}`);
    const hashTotal = await env.redis.hget(env.key(`user:${t.msisdn}`), 'total');
    if (Number(hashTotal) !== Number(t.total)) problems.push(`user hash total ${hashTotal} != ${t.total} for ${t.msisdn}`);
  }
  if (scores.size !== totals.length) problems.push(`board has ${scores.size} members, ${totals.length} users have points`);
  const weeks = await q<{ msisdn: string; week: string; total: string }>('SELECT msisdn, week, total FROM user_week_totals');
  for (const w of weeks) {
    const s = await env.redis.zscore(env.key(`lb:week:${w.week}`), w.msisdn);
    if (s === null || decodePoints(Number(s)) !== Number(w.total)) problems.push(`week board ${w.week} score ${s} != ${w.total} for ${w.msisdn}`);
  }

  const work = await q<{ pending: string; dead: string }>(
    'SELECT SUM(pending <> 0) pending, SUM(dead <> 0) dead FROM checkin_work',
  );
  if (Number(work[0]!.pending ?? 0) > 0) problems.push(`${work[0]!.pending} check-ins still have events pending`);
  if (!opts.allowDead && Number(work[0]!.dead ?? 0) > 0) problems.push(`${work[0]!.dead} check-ins have dead letters`);

  const lines = existsSync(env.notifyFile) ? readFileSync(env.notifyFile, 'utf8').split('\n').filter(Boolean) : [];
  const seen = new Map<string, number>();
  for (const l of lines) {
    const key = (JSON.parse(l) as { key: string }).key;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const duplicateNotifications = [...seen.entries()].filter(([, n]) => n > 1).map(([k]) => k);
  for (const d of duplicateNotifications) problems.push(`notification ${d} sent twice`);
  const ledgerRows = Number((await q<{ n: string }>('SELECT COUNT(*) n FROM points_ledger'))[0]!.n);
  return { users: totals.length, ledgerRows, problems, notificationsSent: lines.length, duplicateNotifications };
}
