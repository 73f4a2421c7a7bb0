import { z } from 'zod';

const positiveInt = z.number().int().positive();

/** Replication to peer sites (src/sync/, README "Sites and replication"). */
export const syncConfigSchema = z
  .object({
    /** How often each peer's sender looks for new log entries when no commit woke it. @defaultValue 200 */
    pollIntervalMs: positiveInt.default(200),
    /** Records (check-ins, venues) per batch sent to a peer. @defaultValue 2000 */
    batchMaxRecords: positiveInt.max(20_000).default(2000),
    /** Every attempt to send a batch ends by then (connect, send, apply, answer). @defaultValue 5000 */
    requestTimeoutMs: positiveInt.default(5000),
    /** First retry delay; doubles per failure, full jitter. @defaultValue 100 */
    backoffBaseMs: positiveInt.default(100),
    /** Longest retry delay, so a healed link carries traffic again within seconds. @defaultValue 5000 */
    backoffCapMs: positiveInt.default(5000),
    /** Consecutive failed attempts that open a peer's breaker. @defaultValue 5 */
    breakerFailures: positiveInt.default(5),
    /** How long an open breaker waits before one probe batch. @defaultValue 2000 */
    breakerOpenMs: positiveInt.default(2000),
    /** Signed batches older or newer than this (seconds) are refused as replays. @defaultValue 300 */
    timestampWindowSec: positiveInt.default(300),
    /** Largest batch body a peer may send here. @defaultValue 8 MiB */
    maxBatchBytes: positiveInt.default(8 * 1024 * 1024),
    /**
     * How long a hole in the log's sequence (an entry allocated by a transaction not yet
     * committed) is waited for before it counts as rolled back. Must exceed the longest a
     * writer transaction can run (mysql.queryTimeoutMs). @defaultValue 30000
     */
    gapTimeoutMs: positiveInt.default(30_000),
    /** Received-entry records kept for deduplication (check-ins stay idempotent on their id after). @defaultValue 7 days */
    inboxRetentionMs: positiveInt.default(7 * 24 * 3600 * 1000),
  })
  .strict();

export type SyncConfig = z.output<typeof syncConfigSchema>;
