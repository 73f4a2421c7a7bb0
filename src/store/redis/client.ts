import { Redis } from 'ioredis';
import type { Config } from '../../config/schema.js';

type Endpoint = Config['redis']['local'];

/**
 * A Redis client that fails fast: no offline queue (commands while disconnected reject at
 * once), a per-command timeout, one retry per request, and reconnects in the background.
 */
export function createRedis(cfg: Endpoint, name: string): Redis {
  return new Redis({
    host: cfg.host,
    port: cfg.port,
    db: cfg.db,
    ...(cfg.password ? { password: cfg.password } : {}),
    keyPrefix: cfg.keyPrefix,
    connectionName: name,
    commandTimeout: cfg.commandTimeoutMs,
    connectTimeout: cfg.connectTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    retryStrategy: (times: number) => Math.min(2000, 50 * 2 ** Math.min(times, 6)),
    // Commands issued in the same event-loop turn go out in one write.
    enableAutoPipelining: true,
  });
}

/** Connects, but does not fail start-up when Redis is down: it is a read model, not the truth. */
export async function connectRedis(redis: Redis): Promise<boolean> {
  try {
    await redis.connect();
    return true;
  } catch {
    return false;
  }
}
