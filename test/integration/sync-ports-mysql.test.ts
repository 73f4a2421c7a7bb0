import { MysqlReplicationLog } from '../../src/store/mysql/replication-log.js';
import { MysqlSyncInbox } from '../../src/store/mysql/sync-inbox.js';
import { createEventsEnv } from '../helpers/events-env.js';
import { replicationLogContract } from './support/replication-log-contract.js';
import { syncInboxContract } from './support/sync-inbox-contract.js';

// The replication ports' conformance suites, run against the MySQL implementations on a
// migrated database of their own.

replicationLogContract('MySQL', async () => {
  const env = await createEventsEnv();
  return {
    log: new MysqlReplicationLog(env.db, 'here', 5000),
    async seedCheckIn(r) {
      await env.db.query(
        'INSERT INTO checkins (id, msisdn, venue_id, channel, site, at_ms, day, client_id, request_key, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)',
        [r.id, r.msisdn, r.venueId, r.channel, r.site, r.at, r.day, 'seed'],
      );
    },
    async seedVenue(r) {
      await env.db.query('INSERT INTO venues (id, code, name, city, open, version, origin_site, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        r.id,
        r.code,
        r.name,
        r.city,
        r.open ? 1 : 0,
        r.version,
        r.site,
        Date.now(),
      ]);
    },
    close: () => env.cleanup(),
  };
});

syncInboxContract('MySQL', async () => {
  const env = await createEventsEnv();
  const owedMask = 0b11011;
  return {
    inbox: new MysqlSyncInbox(env.db, owedMask, 5000),
    owedMask,
    async checkInCounts(ids) {
      const [rows] = await env.db.query('SELECT id, COUNT(*) n FROM checkins WHERE id IN (?) GROUP BY id', [ids]);
      const n = new Map((rows as Array<{ id: string | number; n: number }>).map((r) => [String(r.id), Number(r.n)]));
      return ids.map((id) => n.get(id) ?? 0);
    },
    async owedWork(id) {
      const [rows] = await env.db.query('SELECT owed FROM checkin_work WHERE checkin_id = ?', [id]);
      return (rows as Array<{ owed: number }>).map((r) => Number(r.owed));
    },
    async venue(id) {
      const [rows] = await env.db.query('SELECT name, code, version, origin_site FROM venues WHERE id = ?', [id]);
      const r = (rows as Array<{ name: string; code: string | null; version: number; origin_site: string }>)[0];
      return r ? { name: r.name, code: r.code, version: Number(r.version), site: r.origin_site } : null;
    },
    close: () => env.cleanup(),
  };
});
