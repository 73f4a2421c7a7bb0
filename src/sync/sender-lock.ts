import mysql from 'mysql2/promise';
import type { Config } from '../config/schema.js';

/**
 * Which process of a site sends: the one holding a MySQL named lock on its own connection.
 * The lock dies with that connection (a crashed process, a cut link), and a standby takes it
 * at its next try. Two senders for a moment (a leader that lost its connection notices only
 * at its next check) is harmless: the receiving inbox drops what it already applied.
 */
export class SenderLock {
  private conn: mysql.Connection | null = null;

  constructor(
    private readonly cfg: Config['mysql'],
    private readonly name: string,
  ) {}

  /** Tries to take (or confirms holding) the lock; false when another process holds it or MySQL is away. */
  async hold(): Promise<boolean> {
    try {
      if (this.conn === null) {
        this.conn = await mysql.createConnection({
          host: this.cfg.host,
          port: this.cfg.port,
          ...(this.cfg.socketPath ? { socketPath: this.cfg.socketPath } : {}),
          user: this.cfg.user,
          password: this.cfg.password,
          database: this.cfg.database,
          connectTimeout: this.cfg.connectTimeoutMs,
          enableKeepAlive: true,
        });
        this.conn.on('error', () => this.drop());
      }
      const [rows] = await this.conn.query({
        sql: 'SELECT IF(IS_USED_LOCK(?) = CONNECTION_ID(), 1, GET_LOCK(?, 0)) AS mine',
        values: [this.name, this.name],
        timeout: this.cfg.queryTimeoutMs,
      });
      return (rows as Array<{ mine: number | null }>)[0]?.mine === 1;
    } catch {
      this.drop();
      return false;
    }
  }

  async release(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    if (conn) await conn.end().catch(() => conn.destroy());
  }

  private drop(): void {
    this.conn?.destroy();
    this.conn = null;
  }
}
