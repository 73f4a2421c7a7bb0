import { z } from 'zod';
import { syncConfigSchema } from '../sync/sync-config.js';
import { CAPABILITIES } from '../core/events.js';
import { MAX_SITE_NUMBER } from '../core/ids.js';
import { pointsConfigSchema } from '../core/points-config.js';
import { notifyConfigSchema } from '../notify/notify-config.js';
import { dashboardConfigSchema } from '../dashboard/dashboard-config.js';
import { poolConfigSchema } from '../workers/pool-config.js';
import { openRouteProblems, smsConfigSchema, ussdConfigSchema } from '../gateway/ussd/config.js';
import { topologyProblems } from './site-topology.js';

/**
 * The one configuration schema. Every key has a default unless a site must choose it.
 * Loaded from a YAML/JSON file plus `HOPGATE__A__B=value` environment overrides, validated
 * at start-up (errors name the key), then deep-frozen and passed down.
 */

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();

const redisEndpoint = z
  .object({
    /** @defaultValue `127.0.0.1` */
    host: z.string().min(1).default('127.0.0.1'),
    /** @defaultValue `6379` */
    port: port.default(6379),
    db: z.number().int().min(0).max(15).default(0),
    password: z.string().optional(),
    /** Prefix of every key hopgate writes, so several sites or test runs share a server. */
    keyPrefix: z.string().default('hg:'),
    /** Per-command timeout; a slow Redis marks figures stale instead of slowing check-ins. */
    commandTimeoutMs: positiveInt.default(250),
    connectTimeoutMs: positiveInt.default(1000),
    /**
     * Longest a request waits for one Redis call (a check-in's figures, a USSD session):
     * past it the figures are stale or the screen says busy; three such failures in a row
     * open a breaker that skips Redis for 1 s at a time (one probe each second).
     */
    requestBudgetMs: positiveInt.default(50),
  })
  .strict();

const apiKey = z
  .object({
    /** Client id: scopes idempotency keys and rate limits; appears in logs, never the key. */
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/, 'must be 1–32 of a-z 0-9 _ . -'),
    role: z.enum(['client', 'admin']),
    /** Hex SHA-256 of the key (`hopgate keys create` prints it). The key itself is never stored. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  })
  .strict();

const siteIdSchema = z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'must be 1–16 of a-z 0-9 - starting with a letter');

const peer = z
  .object({
    siteId: siteIdSchema,
    /** The peer gateway's base URL; batches go to `<url>/internal/sync/v1/batches`. */
    url: z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL'),
    /** Shared secret for HMAC-SHA256 request signing between this pair of sites. */
    secret: z.string().min(32, 'must be at least 32 characters'),
  })
  .strict();

export const configSchema = z
  .object({
    /** Short site name, e.g. `nbo`; appears in check-in replies and metrics. */
    siteId: siteIdSchema,
    /** 0..1023, unique per site; embedded in check-in ids. */
    siteNumber: z.number().int().min(0).max(MAX_SITE_NUMBER),
    /** What this site does. Exactly one site of a deployment holds `points`. */
    capabilities: z
      .array(z.enum(CAPABILITIES as unknown as [string, ...string[]]))
      .min(1)
      .default(['checkin', 'ussd', 'sms', 'points', 'notify']),
    /**
     * The site of this deployment that holds `points` (this site or one of `peers`). Required
     * at a site without `points` that has peers, so a deployment with no points site, or two,
     * is refused where a site can tell (config/site-topology.ts).
     */
    pointsSite: siteIdSchema.optional(),
    /** IANA zone of the site's subscribers: decides "the same day" for rewards and streaks. */
    timeZone: z
      .string()
      .default('UTC')
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Africa/Nairobi'),
    /** Country calling code prefixed to national-form numbers (`0712…` → `+254712…`). */
    defaultCountryCode: z.string().regex(/^[1-9][0-9]{0,2}$/, 'must be 1–3 digits').default('254'),
    http: z
      .object({
        host: z.string().default('127.0.0.1'),
        /** @defaultValue `8080`; 0 picks a free port (tests). */
        port: port.default(8080),
        /** Refuse to share the port with another process (uWS sets SO_REUSEPORT otherwise). */
        exclusivePort: z.boolean().default(true),
        /** @defaultValue 16 KiB */
        maxBodyBytes: positiveInt.max(1 << 20).default(16 * 1024),
        /** Requests not answered by then get 504. */
        requestDeadlineMs: positiveInt.default(1000),
        /** Seconds given to in-flight work on SIGTERM before connections are cut. */
        drainTimeoutMs: positiveInt.default(10_000),
        /**
         * Draining ends once no request arrived for this long: until then the connections the
         * process has are served, each reply closing its connection, so keep-alive clients
         * move to the process now sharing the port after their next reply.
         */
        drainQuietMs: positiveInt.max(10_000).default(500),
        /**
         * Sources allowed to read `/metrics` and `/readyz` (exact IPv4/IPv6 or CIDR: the
         * Prometheus server, the load balancer). Empty = any. `/healthz` stays open.
         */
        opsAllowFrom: z.array(z.string().min(1)).default([]),
        /**
         * Proxies (exact IPv4/IPv6 or CIDR) whose `X-Request-Id` is kept as the request's id
         * and whose `X-Forwarded-For` names the client in the access log. Empty = none: every
         * request gets a new id.
         */
        trustedProxies: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    mysql: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: port.default(3306),
        socketPath: z.string().optional(),
        user: z.string().default('root'),
        password: z.string().default(''),
        database: z.string().regex(/^[A-Za-z0-9_]{1,64}$/).default('hopgate'),
        /** Connections of the main thread (writer + reads). */
        connectionLimit: positiveInt.default(8),
        /** Bound on queued queries; past it, callers fail fast instead of queueing forever. */
        queueLimit: positiveInt.default(2000),
        connectTimeoutMs: positiveInt.default(2000),
        queryTimeoutMs: positiveInt.default(3000),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        /** Read-write: USSD sessions, idempotency replies, rate limits, caches. */
        local: redisEndpoint.prefault({}),
        /** Points read model: the master at the points site, a replica elsewhere. */
        readModel: redisEndpoint.prefault({}),
        /**
         * How fresh a replica read model is, polled in the background (`INFO replication`),
         * never per request. Figures read while the replica's link is down, or while it has
         * not heard from its master for `maxLagSec`, come back with `stale: true`.
         */
        replicaCheck: z
          .object({
            /** @defaultValue 1000 */
            intervalMs: z.number().int().min(100).max(60_000).default(1000),
            /**
             * Seconds without a word from the master (`master_last_io_seconds_ago`) after
             * which figures are stale. The master pings its replicas every
             * `repl-ping-replica-period` (10 s by default): keep this above that period.
             * @defaultValue 15
             */
            maxLagSec: z.number().int().min(1).max(3600).default(15),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    writer: z
      .object({
        /** Longest a check-in waits for companions before its batch is written. */
        maxWaitMs: z.number().min(0).max(50).default(1),
        /** Rows per transaction. */
        maxBatchRows: positiveInt.max(5000).default(256),
        /** Transactions in flight at once (each on its own connection). */
        maxConcurrentBatches: positiveInt.max(32).default(4),
        /** Check-ins waiting to be written; past it, new ones get 503 at once. */
        maxQueuedRows: positiveInt.default(20_000),
        /** Keyed check-ins remembered, so a repeated key is a replay without a rolled-back batch; 0 = off. */
        recentKeys: z.number().int().min(0).max(1_000_000).default(20_000),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        apiKeys: z.array(apiKey).default([]),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        /** Requests per second per API client (token bucket, per process). */
        clientRatePerSec: positiveInt.default(50_000),
        clientBurst: positiveInt.default(100_000),
        /**
         * Replies kept in memory for Idempotency-Key replays (byte-identical bodies). Older
         * replays are rebuilt from MySQL: same check-in, current total and rank.
         */
        replyCacheEntries: positiveInt.default(20_000),
        /**
         * USSD and SMS requests per second per subscriber (token bucket per channel, per
         * process); 0 turns it off. A person types a hop every few seconds at most.
         */
        subscriberRatePerSec: z.number().min(0).max(1_000_000).default(2),
        subscriberBurst: positiveInt.default(10),
        /**
         * USSD and SMS requests per second per source address (an aggregator's or Kannel's
         * gateway), per channel and process; 0 turns it off. Above any one gateway's
         * honest peak, below what the site serves, so a looping gateway slows no other.
         */
        sourceRatePerSec: z.number().min(0).max(1_000_000).default(5_000),
        sourceBurst: positiveInt.default(10_000),
        /** Subscribers and sources remembered by each of those limiters (oldest dropped first). */
        throttleKeys: positiveInt.max(10_000_000).default(100_000),
      })
      .strict()
      .prefault({}),
    /** Post-processing pool, dispatcher and retry policy (workers/pool-config.ts). */
    pool: poolConfigSchema.prefault({}),
    /** Points rules and skipper window (core/points-config.ts). */
    points: pointsConfigSchema.prefault({}),
    /** Subscriber notifications (notify/notify-config.ts). */
    notify: notifyConfigSchema.prefault({}),
    /** The live dashboard (dashboard/dashboard-config.ts). */
    dashboard: dashboardConfigSchema.prefault({}),
    /** The other sites of the deployment, each with the secret this pair of sites shares. */
    peers: z.array(peer).default([]),
    /** Replication to the peers (src/sync/sync-config.ts). */
    sync: syncConfigSchema.prefault({}),
    /** USSD front end: service code, sessions, deadline, per-dialect access (docs/ussd.md). */
    ussd: ussdConfigSchema.prefault({}),
    /** SMS commands over Kannel (docs/ussd.md). */
    sms: smsConfigSchema.prefault({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        /** File of an access log in Apache's combined format (numbers masked); unset = off. */
        accessLog: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const p of openRouteProblems(c.http.host, c.ussd, c.sms)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    const seen = new Set<string>();
    c.peers.forEach((p, i) => {
      if (p.siteId === c.siteId) ctx.addIssue({ code: 'custom', path: ['peers', i, 'siteId'], message: 'a site cannot be its own peer' });
      if (seen.has(p.siteId)) ctx.addIssue({ code: 'custom', path: ['peers', i, 'siteId'], message: `peer ${p.siteId} is listed twice` });
      seen.add(p.siteId);
    });
    for (const p of topologyProblems(c)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
