import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';

/** Real services on this machine (ARCHITECTURE.md: tests talk to the real MariaDB and Redis). */
export const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', password: '' } as const;
export const REDIS = { host: '127.0.0.1', port: 6379 } as const;

/** A name no other test run (yours, a helper's, CI's) will pick. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function mysqlAdmin(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({ ...MYSQL, ...(database ? { database } : {}), supportBigNumbers: true, bigNumberStrings: true });
}

export async function dropDatabase(name: string): Promise<void> {
  const c = await mysqlAdmin();
  try {
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await c.end();
  }
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function deleteRedisPrefix(prefix: string, port: number = REDIS.port): Promise<void> {
  const r = new Redis({ host: REDIS.host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
