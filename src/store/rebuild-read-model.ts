import cliProgress from 'cli-progress';
import { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import { encodeScore, readModelKeys } from '../core/leaderboard.js';
import { WEEK_BOARD_TTL_SEC } from '../workers/handlers/leaderboard-update.js';
import { createMysqlPool } from './mysql/pool.js';

const PAGE = 2000;

export interface RebuildReport {
  readonly users: number;
  readonly boards: number;
  readonly skippers: number;
  readonly staleBoardsRemoved: number;
}

interface Sum {
  msisdn: string;
  k?: string;
  total: string | number;
  reached: string | number;
}

/**
 * Rebuilds the points read model from MySQL: user hashes and the global, city and week
 * boards from the points ledger (the truth; totals tables are not trusted here), skipper
 * hashes from `skipper_state`. Boards are built under temporary keys and swapped in with
 * RENAME, so readers never see a half-built board; boards with no ledger rows are removed.
 * Leaderboard updates running meanwhile may be overwritten by the swap: run it with the
 * gateway stopped, or run it twice.
 */
export async function rebuildReadModel(config: Config, opts: { progress: boolean }): Promise<RebuildReport> {
  // Elsewhere redis.readModel is a replica of the points site's master: writes belong there.
  if (!config.capabilities.includes('points')) {
    throw new Error(`site ${config.siteId} does not hold points: rebuild the read model at the points site${config.pointsSite ? ` (${config.pointsSite})` : ''}; replicas follow`);
  }
  const pool = createMysqlPool(config.mysql, { connectionLimit: 2 });
  const rm = config.redis.readModel;
  const redis = new Redis({
    host: rm.host,
    port: rm.port,
    db: rm.db,
    ...(rm.password ? { password: rm.password } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    commandTimeout: Math.max(rm.commandTimeoutMs, 10_000),
  });
  await redis.connect();
  const prefix = rm.keyPrefix;
  const tmp = `${prefix}rebuild:${Date.now()}:`;
  const boards = new Set<string>();
  const bar = opts.progress
    ? new cliProgress.SingleBar({ format: ' users [{bar}] {value}/{total} {percentage}% {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  try {
    const [countRows] = await pool.query('SELECT COUNT(DISTINCT msisdn) AS n FROM points_ledger');
    const totalUsers = Number((countRows as Array<{ n: string }>)[0]?.n ?? 0);
    bar?.start(totalUsers, 0);
    let after = '';
    let users = 0;
    for (;;) {
      const [page] = await pool.query(
        `SELECT msisdn, SUM(points) AS total, MAX(at_ms) AS reached FROM points_ledger
          WHERE msisdn > ? GROUP BY msisdn HAVING SUM(points) > 0 ORDER BY msisdn LIMIT ${PAGE}`,
        [after],
      );
      const rows = page as Sum[];
      if (rows.length === 0) break;
      const msisdns = rows.map((r) => r.msisdn);
      const [cityRows] = await pool.query(
        'SELECT msisdn, city AS k, SUM(points) AS total, MAX(at_ms) AS reached FROM points_ledger WHERE msisdn IN (?) GROUP BY msisdn, city',
        [msisdns],
      );
      const [weekRows] = await pool.query(
        'SELECT msisdn, week AS k, SUM(points) AS total, MAX(at_ms) AS reached FROM points_ledger WHERE msisdn IN (?) GROUP BY msisdn, week',
        [msisdns],
      );
      const [homeRows] = await pool.query('SELECT msisdn, city FROM user_totals WHERE msisdn IN (?)', [msisdns]);
      const home = new Map((homeRows as Array<{ msisdn: string; city: string }>).map((r) => [r.msisdn, r.city]));
      const p = redis.pipeline();
      const now = String(Date.now());
      const global = readModelKeys.board('global', '');
      boards.add(global);
      for (const r of rows) {
        const total = Number(r.total);
        p.zadd(tmp + global, String(encodeScore(total, Number(r.reached))), r.msisdn);
        p.hset(prefix + readModelKeys.user(r.msisdn), 'total', String(total), 'city', home.get(r.msisdn) ?? '', 'updatedAt', now);
      }
      for (const r of cityRows as Sum[]) {
        if (Number(r.total) <= 0) continue;
        const key = readModelKeys.board(`city:${String(r.k).toLowerCase()}`, '');
        boards.add(key);
        p.zadd(tmp + key, String(encodeScore(Number(r.total), Number(r.reached))), r.msisdn);
      }
      for (const r of weekRows as Sum[]) {
        if (Number(r.total) <= 0) continue;
        const key = readModelKeys.board('week', String(r.k));
        boards.add(key);
        p.zadd(tmp + key, String(encodeScore(Number(r.total), Number(r.reached))), r.msisdn);
      }
      await p.exec();
      users += rows.length;
      bar?.update(users);
      after = rows[rows.length - 1]!.msisdn;
    }
    bar?.stop();

    const swap = redis.multi();
    for (const key of boards) {
      swap.rename(tmp + key, prefix + key);
      if (key.startsWith('lb:week:')) swap.expire(prefix + key, WEEK_BOARD_TTL_SEC);
    }
    await swap.exec();
    let staleBoardsRemoved = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}lb:*`, 'COUNT', 1000);
      cursor = next;
      const stale = keys.filter((k) => !boards.has(k.slice(prefix.length)));
      if (stale.length > 0) {
        staleBoardsRemoved += stale.length;
        await redis.del(...stale);
      }
    } while (cursor !== '0');

    const [skipRows] = await pool.query('SELECT venue_id, msisdn, days, since_ms FROM skipper_state');
    const sp = redis.pipeline();
    let skippers = 0;
    for (const r of skipRows as Array<{ venue_id: string; msisdn: string | null; days: number; since_ms: string }>) {
      const key = prefix + readModelKeys.skipper(r.venue_id);
      if (r.msisdn === null) sp.del(key);
      else {
        sp.hset(key, 'msisdn', r.msisdn, 'days', String(r.days), 'since', String(r.since_ms));
        skippers++;
      }
    }
    await sp.exec();
    return { users, boards: boards.size, skippers, staleBoardsRemoved };
  } finally {
    bar?.stop();
    redis.disconnect();
    await pool.end();
  }
}
