import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlPool, type MysqlPool } from '../../src/store/mysql/pool.js';
import { UserRepository } from '../../src/store/mysql/user-repository.js';
import { VenueRepository } from '../../src/store/mysql/venue-repository.js';
import { createEventsEnv, type EventsEnv } from '../helpers/events-env.js';
import { mysqlAdmin } from '../helpers/env.js';

// A read that passes its timeout must not leave its statement running on the connection it
// gives back: mysql2's query timeout only rejects the promise, the statement goes on, and the
// next query on that connection waits behind it with no clock of its own (its timeout starts
// when it starts). During a stall (a table lock, a hung disk) every pooled connection would end
// up stuck that way and reads would wait for the stall, not for their timeout; MariaDB would
// keep a waiting thread per abandoned read.

let env: EventsEnv;
let pool: MysqlPool;

beforeAll(async () => {
  env = await createEventsEnv();
  // One connection: whatever the first read leaves behind, the second read meets.
  pool = createMysqlPool(env.config.mysql, { connectionLimit: 1 });
});

afterAll(async () => {
  await pool?.end();
  await env?.cleanup();
});

/** Statements of this database waiting on a table lock, as MariaDB sees them. */
async function waitingStatements(database: string): Promise<number> {
  const c = await mysqlAdmin();
  try {
    const [rows] = await c.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE LIKE 'Waiting for table%'", [database]);
    return Number((rows as { n: number }[])[0]?.n ?? 0);
  } finally {
    await c.end();
  }
}

async function settleMs(p: Promise<unknown>): Promise<{ ms: number; error: string | null }> {
  const t0 = performance.now();
  try {
    await p;
    return { ms: performance.now() - t0, error: null };
  } catch (e) {
    return { ms: performance.now() - t0, error: (e as { code?: string }).code ?? String(e) };
  }
}

describe('a read past its timeout', () => {
  it('is ended on the server, and the next read on the pool keeps its own timeout', async () => {
    const database = env.config.mysql.database;
    const venues = new VenueRepository(pool, 200);
    const users = new UserRepository(pool, 200);
    const locker = await mysqlAdmin(database);
    let unlocked: Promise<unknown> | undefined;
    // The stall ends by itself after 8 s, whatever the reads do.
    const stall = setTimeout(() => (unlocked = locker.query('UNLOCK TABLES')), 8_000);
    try {
      await locker.query('LOCK TABLES venues WRITE, users WRITE');
      const first = await settleMs(venues.get('100001'));
      expect(first.error).toBe('PROTOCOL_SEQUENCE_TIMEOUT');
      // The lock is held for seconds more: a second read that waits for it instead of for its own
      // 200 ms settles after seconds.
      const second = await settleMs(users.get('+254700000001'));
      expect(second.error).toBe('PROTOCOL_SEQUENCE_TIMEOUT');
      expect(second.ms).toBeLessThan(4_000);
      const third = await settleMs(venues.get('100002'));
      expect(third.error).toBe('PROTOCOL_SEQUENCE_TIMEOUT');
      expect(third.ms).toBeLessThan(4_000);
      // Nothing of the three is left waiting in MariaDB: each was killed before its read
      // failed. (Left alone, MariaDB notices a closed client only at its next check, about a
      // second later here; a little slack for the killed threads to leave.)
      let waiting = await waitingStatements(database);
      for (let i = 0; i < 10 && waiting > 0; i++) {
        await new Promise((r) => setTimeout(r, 30));
        waiting = await waitingStatements(database);
      }
      expect(waiting).toBe(0);
    } finally {
      clearTimeout(stall);
      await (unlocked ?? locker.query('UNLOCK TABLES'));
      await locker.end();
    }
    // The pool still serves once the stall is over.
    expect(await venues.get('no-such-venue')).toBeUndefined();
  }, 30_000);
});
