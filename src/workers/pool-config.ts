import { z } from 'zod';

const positiveInt = z.number().int().positive();

/**
 * `pool:` — the Piscina pool that runs post-processing events, the dispatcher that feeds it
 * and the retry policy. Defaults suit a 2-core box (bench/README.md, events): two worker
 * threads, one batch each, so one batch's MySQL transaction overlaps the other's Redis
 * and notifier step; a third concurrent batch only made MariaDB spend more CPU per event.
 * Batches of up to 2000 check-ins halve the per-batch statements and commits.
 */
export const poolConfigSchema = z
  .object({
    /**
     * Run post-processing in this process. When false, check-ins still record the work they
     * owe; it waits in MySQL until a process with the pool enabled starts (its recovery pass
     * picks it up). Dead letters stay listable and replayable. @defaultValue true
     */
    enabled: z.boolean().default(true),
    /** Worker threads (min = max: no spawn latency under load). @defaultValue 2 */
    threads: positiveInt.max(64).default(2),
    /** Batches a worker runs at once (>1 overlaps waits, but costs MariaDB CPU in contention). @defaultValue 1 */
    concurrentTasksPerWorker: positiveInt.max(16).default(1),
    /** Batches queued in Piscina beyond the running ones; when full, dispatch waits. @defaultValue 4 */
    maxQueue: positiveInt.max(1024).default(4),
    /** Workers do async I/O: `disabled` keeps their event loop free between tasks. */
    atomics: z.enum(['disabled', 'async', 'sync']).default('disabled'),
    /** Check-ins per task (each owes up to five events). @defaultValue 2000 */
    batchMaxCheckins: positiveInt.max(10_000).default(2000),
    /** Longest a committed check-in waits for companions before its batch is sent. @defaultValue 10 */
    batchMaxWaitMs: z.number().int().min(0).max(1000).default(10),
    /** Check-in ids held in memory waiting for the pool; beyond it they are left to recovery. */
    maxBufferedCheckins: positiveInt.default(100_000),
    /** MySQL connections each worker opens. @defaultValue 3 */
    workerMysqlConnections: positiveInt.max(32).default(3),
    /** Attempts before an event is parked as a dead letter. @defaultValue 8 */
    maxAttempts: positiveInt.max(1000).default(8),
    /** First retry delay; doubles per attempt, with jitter, up to `backoffMaxMs`. @defaultValue 1000 */
    backoffBaseMs: positiveInt.default(1000),
    /** @defaultValue 300000 (5 min) */
    backoffMaxMs: positiveInt.default(300_000),
    /** How often committed-but-unfinished work is looked for (crash, lost task, retry due). */
    recoveryIntervalMs: positiveInt.default(5000),
    /** Rows younger than this are left to the live path (the writer is about to hand them over). */
    recoveryGraceMs: z.number().int().min(0).default(2000),
    /** Rows fetched per recovery pass. @defaultValue 5000 */
    recoveryBatchRows: positiveInt.max(100_000).default(5000),
  })
  .strict();

export type PoolConfig = z.output<typeof poolConfigSchema>;
