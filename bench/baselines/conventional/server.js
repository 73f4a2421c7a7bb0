// The conventional stack a Node team would write for hopgate's POST /v1/checkins: Fastify,
// one mysql2 transaction per request, the five events as BullMQ jobs. Same contract as
// hopgate: same validation (hopgate's own parser), the reward-day rule (first check-in of
// the subscriber at the venue on the local day), Idempotency-Key replays, and the reply only
// after the check-in is committed AND its five jobs are in Redis: the `addBulk` is awaited
// before replying (no outbox). A crash between COMMIT and `addBulk` would lose the jobs of
// a check-in whose client got no reply; its retry with the same key replays the check-in
// and adds the jobs again under deterministic job ids (BullMQ ignores an id it already
// has), so a keyed client that retries gets its events. An outbox would close that gap for
// unkeyed clients at the price of one more write per check-in and a relay process; most
// teams do not write one, and the cheaper choice is the fairer comparison for throughput.
//
// Env: PORT, DATABASE, MYSQL_SOCKET (optional), REDIS_PREFIX, POOL_SIZE (default 32),
// TIME_ZONE (default Africa/Nairobi), API_KEY (the one client key accepted).
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { parseCheckInInput } from '../../../dist/core/checkin.js';
import { LocalCalendar } from '../../../dist/core/time.js';
import { JOBS } from './schema.js';
import { boardKey, redisConnection } from './redis.js';

const env = process.env;
const POINTS = 10;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
const calendar = new LocalCalendar(env.TIME_ZONE ?? 'Africa/Nairobi');
const db = mysql.createPool({
  ...(env.MYSQL_SOCKET ? { socketPath: env.MYSQL_SOCKET } : { host: '127.0.0.1', port: 3306 }),
  user: 'root',
  password: '',
  database: env.DATABASE,
  connectionLimit: Number(env.POOL_SIZE ?? 32),
});
const redis = new Redis(redisConnection());
const queue = new Queue('events', { connection: redisConnection(), prefix: env.REDIS_PREFIX });
const prefix = env.REDIS_PREFIX;

const app = Fastify({ logger: false });

app.post('/v1/checkins', async (req, reply) => {
  if (req.headers['x-api-key'] !== env.API_KEY) return reply.code(401).send({ error: { code: 'UNAUTHENTICATED' } });
  const body = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalid(reply, 'body', 'body must be a JSON object');
  const key = req.headers['idempotency-key'] ?? null;
  if (key !== null && !IDEMPOTENCY_KEY.test(key)) return invalid(reply, 'Idempotency-Key', 'Idempotency-Key must be 1–128 printable ASCII characters');
  const parsed = parseCheckInInput(body, '254');
  if (!parsed.ok) return invalid(reply, parsed.error.field, parsed.error.message);
  const { msisdn, venueId, channel } = parsed.value;
  const hash = key === null ? null : createHash('sha256').update(JSON.stringify([body.msisdn ?? null, body.venueId ?? null, body.channel ?? 'app'])).digest('hex').slice(0, 32);
  const at = Date.now();
  const day = calendar.day(at);

  const conn = await db.getConnection();
  let checkIn;
  let venue;
  try {
    await conn.beginTransaction();
    [[venue]] = await conn.query('SELECT id, name, city, open FROM venues WHERE id = ?', [venueId]);
    if (!venue || !venue.open) {
      await conn.rollback();
      return reply.code(venue ? 409 : 404).send({ error: { code: venue ? 'VENUE_CLOSED' : 'VENUE_NOT_FOUND' } });
    }
    if (key !== null) {
      const [[earlier]] = await conn.query('SELECT c.id, c.msisdn, c.venue_id, c.channel, c.at_ms, r.checkin_id IS NOT NULL AS rewarded, c.request_hash FROM checkins c LEFT JOIN reward_days r ON r.checkin_id = c.id WHERE c.client_id = ? AND c.request_key = ?', ['bench', key]);
      if (earlier) checkIn = { ...earlier, replayed: true };
    }
    if (!checkIn) {
      // As in hopgate (migration 005), `rewarded` is whether this check-in claimed the day.
      const [ins] = await conn.query(
        'INSERT INTO checkins (msisdn, venue_id, channel, at_ms, day, client_id, request_key, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [msisdn, venueId, channel, at, day, 'bench', key, hash],
      );
      const [rd] = await conn.query('INSERT IGNORE INTO reward_days (msisdn, venue_id, day, checkin_id) VALUES (?, ?, ?, ?)', [msisdn, venueId, day, ins.insertId]);
      const rewarded = rd.affectedRows === 1 ? 1 : 0;
      await conn.query('INSERT INTO users (msisdn, city, created_at, updated_at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE updated_at = VALUES(updated_at)', [msisdn, venue.city, at, at]);
      checkIn = { id: ins.insertId, msisdn, venue_id: venueId, channel, at_ms: at, rewarded, request_hash: hash, replayed: false };
    }
    await conn.commit();
  } catch (e) {
    await conn.rollback().catch(() => {});
    // Two requests with one new key at once: the second loses on the unique key; its
    // client retries and gets the replay.
    if (e.code === 'ER_DUP_ENTRY') return reply.code(409).header('retry-after', '1').send({ error: { code: 'IDEMPOTENCY_KEY_IN_FLIGHT' } });
    throw e;
  } finally {
    conn.release();
  }
  if (checkIn.replayed && checkIn.request_hash !== hash) return reply.code(422).send({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });

  const id = String(checkIn.id);
  const data = { checkinId: id, msisdn: checkIn.msisdn, venueId: checkIn.venue_id, city: venue.city, channel: checkIn.channel, atMs: Number(checkIn.at_ms), rewarded: Boolean(checkIn.rewarded) };
  await queue.addBulk(JOBS.map((name) => ({ name, data, opts: { jobId: `${id}-${name}`, removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 200 } } })));
  const [[, score], [, rank]] = await redis.multi().zscore(boardKey(prefix, 'global'), checkIn.msisdn).zrevrank(boardKey(prefix, 'global'), checkIn.msisdn).exec();
  const awarded = checkIn.rewarded ? POINTS : 0;
  return reply.code(checkIn.replayed ? 200 : 201).send({
    checkin: { id, msisdn: checkIn.msisdn, venueId: checkIn.venue_id, site: 'bench', channel: checkIn.channel, at: new Date(data.atMs).toISOString(), rewarded: data.rewarded },
    points: { awarded, provisional: true, total: score === null ? 0 : Number(score), rank: rank === null ? null : rank + 1, stale: false },
    message: awarded ? `Checked in at ${venue.name}: +${awarded} points.` : `Checked in at ${venue.name}. Already rewarded here today: no points this time.`,
  });
});

// The read path: a leaderboard page around a subscriber, from the sorted set the worker keeps.
app.get('/v1/leaderboards/:board', async (req, reply) => {
  if (req.headers['x-api-key'] !== env.API_KEY) return reply.code(401).send({ error: { code: 'UNAUTHENTICATED' } });
  if (req.params.board !== 'global') return reply.code(404).send({ error: { code: 'NOT_FOUND' } });
  const limit = req.query.limit === undefined ? 10 : Number(req.query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalid(reply, 'limit', 'limit must be an integer from 1 to 100');
  const key = boardKey(prefix, 'global');
  let start = 0;
  if (req.query.around !== undefined) {
    const rank = await redis.zrevrank(key, String(req.query.around));
    if (rank === null) return { board: 'global', entries: [] };
    start = Math.max(0, rank - Math.floor(limit / 2));
  }
  const flat = await redis.zrevrange(key, start, start + limit - 1, 'WITHSCORES');
  const entries = [];
  for (let i = 0; i < flat.length; i += 2) entries.push({ rank: start + i / 2 + 1, msisdn: flat[i], points: Number(flat[i + 1]) });
  return { board: 'global', entries };
});

function invalid(reply, field, message) {
  return reply.code(422).send({ error: { code: 'VALIDATION_FAILED', field, message } });
}

const address = await app.listen({ host: '127.0.0.1', port: Number(env.PORT ?? 0) });
process.stdout.write(`${JSON.stringify({ msg: 'listening', port: Number(new URL(address).port) })}\n`);
process.on('SIGTERM', async () => {
  await app.close();
  await queue.close();
  redis.disconnect();
  await db.end();
  process.exit(0);
});
