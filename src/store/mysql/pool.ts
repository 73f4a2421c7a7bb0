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
