import mysql from 'mysql2/promise';
import type { Config } from '../../config/schema.js';

export type MysqlPool = mysql.Pool;

/**
 * A bounded mysql2 pool: `queueLimit` set (mysql2's default queue is unbounded) and a
 * connect timeout, so a dead database makes callers fail fast instead of piling up.
 * `multipleStatements` lets the writer send a whole transaction in one round trip; every
 * value in such statements is escaped.
 */
export function createMysqlPool(cfg: Config['mysql'], opts: { connectionLimit?: number; multipleStatements?: boolean } = {}): MysqlPool {
  const pool = mysql.createPool({
    host: cfg.host,
    port: cfg.port,
    ...(cfg.socketPath ? { socketPath: cfg.socketPath } : {}),
    user: cfg.user,
    password: cfg.password,
    database: cfg.database,
    connectionLimit: opts.connectionLimit ?? cfg.connectionLimit,
    queueLimit: cfg.queueLimit,
    connectTimeout: cfg.connectTimeoutMs,
    multipleStatements: opts.multipleStatements ?? false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    enableKeepAlive: true,
    waitForConnections: true,
    charset: 'utf8mb4_bin',
    // mysql2's typings declare a formatter returning void; it returns the statement.
    queryFormat: formatQuery as unknown as mysql.PoolOptions['queryFormat'],
  });
  // READ COMMITTED: no gap locks on searches, so concurrent group-commit batches only meet
  // on the rows they really share (and rarely deadlock). Set once per connection.
  // The event hands over mysql2's callback-style connection.
  pool.on('connection', (conn) => {
    (conn as unknown as { query(sql: string, cb: (e: Error | null) => void): void }).query(
      'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
      () => {},
    );
  });
  return pool;
}

/**
 * mysql2's own formatting, minus its scan of statements that come without values: mysql2
 * formats every query, and the writer's batches (escaped as they are built, several KB
 * each) were scanned for `?` placeholders that cannot be there. Same result either way:
 * with no values, mysql2's formatter returns the text unchanged.
 */
function formatQuery(sql: string, values: Parameters<typeof mysql.format>[1]): string {
  if (values === undefined || (Array.isArray(values) && values.length === 0)) return sql;
  return mysql.format(sql, values); // the pool's time zone is mysql2's default, 'local'
}

type QueryOptions = mysql.QueryOptions & { timeout: number };
type QueryResult = mysql.RowDataPacket[] | mysql.ResultSetHeader;

/**
 * A query whose timeout holds for the caller and on the server. mysql2's `timeout` only stops
 * waiting: the statement runs on, the connection goes back to the pool with it, and the next
 * query there waits behind it with no clock of its own (a timeout starts when its statement
 * starts). So a stall (a table lock, a hung disk) would make every pooled connection wait for
 * the stall, not for the timeout, and leave a waiting thread in MariaDB per abandoned read.
 * Here the timeout covers the wait for a connection too, and a connection whose statement
 * timed out is ended (`abandonConnection`) instead of given back.
 */
export async function queryBounded<T extends QueryResult>(pool: MysqlPool, options: QueryOptions): Promise<[T, mysql.FieldPacket[]]> {
  const deadline = performance.now() + options.timeout;
  const conn = await acquire(pool, options.timeout);
  let result: [T, mysql.FieldPacket[]];
  try {
    result = await conn.query<T>({ ...options, timeout: Math.max(1, Math.round(deadline - performance.now())) });
  } catch (e) {
    if ((e as { code?: string } | null)?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') await abandonConnection(pool, conn);
    else conn.release();
    throw e;
  }
  conn.release();
  return result;
}

/** A connection from the pool within `timeoutMs`; one that comes later goes straight back. */
function acquire(pool: MysqlPool, timeoutMs: number): Promise<mysql.PoolConnection> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(Object.assign(new Error(`no database connection within ${timeoutMs} ms`), { code: 'PROTOCOL_SEQUENCE_TIMEOUT' }));
    }, timeoutMs);
    pool.getConnection().then(
      (conn) => {
        if (late) return conn.release();
        clearTimeout(timer);
        resolve(conn);
      },
      (e: unknown) => {
        clearTimeout(timer);
        if (!late) reject(e);
      },
    );
  });
}

/**
 * Ends a connection whose statement timed out: the socket is dropped, and KILL from another
 * connection ends the statement on the server (closing the socket alone does neither: MariaDB
 * notices a closed socket only when it next writes to it) and rolls back its transaction, lock
 * waits included. Bounded: a database that cannot be reached cannot be told either; it rolls
 * back when it sees the socket close.
 */
export async function abandonConnection(pool: MysqlPool, conn: mysql.PoolConnection, killTimeoutMs = 1000): Promise<void> {
  const threadId = conn.threadId;
  conn.destroy();
  try {
    await queryKill(pool, threadId, killTimeoutMs);
  } catch {
    // Already gone, or the database is unreachable.
  }
}

async function queryKill(pool: MysqlPool, threadId: number, timeoutMs: number): Promise<void> {
  const conn = await acquire(pool, timeoutMs);
  try {
    await conn.query({ sql: `KILL CONNECTION ${Number(threadId)}`, timeout: timeoutMs });
  } catch (e) {
    // A KILL that failed or timed out may itself be stuck: drop its connection, not pool it.
    conn.destroy();
    throw e;
  }
  conn.release();
}

/** mysql2 error codes that mean "the database is not reachable", not "the query is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'POOL_ENQUEUELIMIT',
  'POOL_CLOSED',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

export function isUnavailableError(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || (e as { fatal?: boolean }).fatal === true);
}
