// The conventional stack's BullMQ worker, in its own process: one job per event of a
// check-in. Simplified against hopgate's handlers (no first-visit bonus, streaks, weekly or
// city boards beyond one), but each job does the real MariaDB/Redis work of its kind, and
// each is idempotent under BullMQ's retries:
// - points.award: one transaction: ledger row (INSERT IGNORE on (checkin, rule)) and, if
//   new, the subscriber's total (upsert);
// - leaderboard.update: a once-per-check-in marker (SET NX) and ZINCRBY on the global and
//   the city boards;
// - skipper.evaluate: the subscriber's rewarded days at the venue in the last 7 days, then
//   the venue's skipper upserted if they beat it;
// - notify.user: the confirmation text stored as sent (INSERT IGNORE);
// - stats.record: the per-minute, per-venue counters (upsert).
// Env: DATABASE, MYSQL_SOCKET, REDIS_PREFIX, CONCURRENCY (default 32), POOL_SIZE (default 16).
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { dayNumberToIso, isoToDayNumber } from '../../../dist/core/time.js';
import { boardKey, redisConnection } from './redis.js';

const env = process.env;
const POINTS = 10;
const prefix = env.REDIS_PREFIX;
const db = mysql.createPool({
  ...(env.MYSQL_SOCKET ? { socketPath: env.MYSQL_SOCKET } : { host: '127.0.0.1', port: 3306 }),
  user: 'root',
  password: '',
  database: env.DATABASE,
  connectionLimit: Number(env.POOL_SIZE ?? 16),
  dateStrings: true,
});
const redis = new Redis(redisConnection());

const handlers = {
  async 'points.award'(c) {
    const points = c.rewarded ? POINTS : 0;
    const conn = await db.getConnection();
    try {
      await conn.beginTransaction();
      const [r] = await conn.query('INSERT IGNORE INTO points_ledger (checkin_id, rule, msisdn, points) VALUES (?, ?, ?, ?)', [c.checkinId, 'base', c.msisdn, points]);
      if (r.affectedRows === 1) await conn.query('INSERT INTO user_points (msisdn, total) VALUES (?, ?) ON DUPLICATE KEY UPDATE total = total + VALUES(total)', [c.msisdn, points]);
      await conn.commit();
    } catch (e) {
      await conn.rollback().catch(() => {});
      throw e;
    } finally {
      conn.release();
    }
  },
  async 'leaderboard.update'(c) {
    if (!c.rewarded) return;
    const first = await redis.set(`${prefix}:lb-done:${c.checkinId}`, '1', 'EX', 86_400, 'NX');
    if (first !== 'OK') return;
    await redis.multi().zincrby(boardKey(prefix, 'global'), POINTS, c.msisdn).zincrby(boardKey(prefix, `city:${c.city}`), POINTS, c.msisdn).exec();
  },
  async 'skipper.evaluate'(c) {
    if (!c.rewarded) return;
    const [[row]] = await db.query('SELECT day FROM reward_days WHERE checkin_id = ?', [c.checkinId]);
    const since = dayNumberToIso(isoToDayNumber(row.day) - 6);
    const [[{ days }]] = await db.query('SELECT COUNT(*) AS days FROM reward_days WHERE venue_id = ? AND msisdn = ? AND day >= ?', [c.venueId, c.msisdn, since]);
    await db.query(
      `INSERT INTO skippers (venue_id, msisdn, days, since_ms) VALUES (?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE since_ms = IF(VALUES(days) > days, VALUES(since_ms), since_ms),
         msisdn = IF(VALUES(days) > days, VALUES(msisdn), msisdn), days = GREATEST(days, VALUES(days))`,
      [c.venueId, c.msisdn, Number(days), c.atMs],
    );
  },
  async 'notify.user'(c) {
    const text = c.rewarded ? `You checked in: +${POINTS} points.` : 'You checked in. Already rewarded here today.';
    await db.query('INSERT IGNORE INTO notifications (checkin_id, msisdn, text, sent_ms) VALUES (?, ?, ?, ?)', [c.checkinId, c.msisdn, text, Date.now()]);
  },
  async 'stats.record'(c) {
    await db.query(
      'INSERT INTO stats_minute (minute_ms, venue_id, channel, checkins, rewarded) VALUES (?, ?, ?, 1, ?) ON DUPLICATE KEY UPDATE checkins = checkins + 1, rewarded = rewarded + VALUES(rewarded)',
      [c.atMs - (c.atMs % 60_000), c.venueId, c.channel, c.rewarded ? 1 : 0],
    );
  },
};

const worker = new Worker('events', (job) => handlers[job.name](job.data), {
  connection: redisConnection(),
  prefix,
  concurrency: Number(env.CONCURRENCY ?? 32),
});
worker.on('ready', () => process.stdout.write(`${JSON.stringify({ msg: 'listening', port: 0 })}\n`));
process.on('SIGTERM', async () => {
  await worker.close();
  redis.disconnect();
  await db.end();
  process.exit(0);
});
