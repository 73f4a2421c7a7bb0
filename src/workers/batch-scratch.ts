import type { NotificationRow } from './notification-outbox.js';

/** A total as stored in MySQL: points and when they were last raised (board tie-break). */
export interface Standing {
  readonly total: number;
  readonly reachedMs: number;
}

/** A row of `user_totals`, `user_city_totals` or `user_week_totals` as mysql2 returns it. */
export interface TotalRow {
  readonly msisdn: string;
  readonly city?: string;
  readonly week?: string;
  readonly total: number | string;
  readonly reached_ms: number | string;
}

/** A venue's skipper after evaluation, for the read model. */
export interface SkipperHash {
  readonly venueId: string;
  readonly msisdn: string | null;
  readonly days: number;
  readonly sinceMs: number;
}

/**
 * What one batch's handlers learn in the batch transaction and hand to later steps, so that
 * nothing is read back from MySQL: the totals `points.award` wrote (from its upserts'
 * RETURNING), each check-in's points, the skipper hashes to publish and the messages
 * claimed by the batch. Rebuilt from scratch if the transaction is retried.
 */
export class BatchScratch {
  /** Check-in id → points the award of this batch gave it (absent: not awarded here). */
  readonly earned = new Map<string, number>();
  /** msisdn → overall total after this batch's award, and the city of the latest points. */
  readonly userTotals = new Map<string, Standing & { readonly city: string }>();
  /** `msisdn \0 city` → city total after this batch's award. */
  readonly cityTotals = new Map<string, Standing>();
  /** `msisdn \0 week` → ISO-week total after this batch's award. */
  readonly weekTotals = new Map<string, Standing>();
  /** Skipper hashes of the venues evaluated in this batch. */
  readonly skipperHashes: SkipperHash[] = [];
  /** Messages inserted in the outbox in the batch transaction, claimed by `token`: ours to send. */
  readonly claimed: NotificationRow[] = [];
  /** Confirmations claimed on their work rows in the batch transaction (at `nowMs`): ours to send. */
  readonly workClaimed: NotificationRow[] = [];
  /** Keys of messages made by earlier runs and still owed: sent through the outbox's claim. */
  readonly owedEarlier: Array<readonly [string, NotificationRow['kind']]> = [];

  /** Check-in id → id of the request that made it, when the dispatcher knew it (log lines only). */
  requestIds: ReadonlyMap<string, string> = NO_REQUEST_IDS;

  constructor(
    /** The claim token of this batch's messages. */
    readonly token: string,
    /** Time of the batch transaction (claims, skipper state). */
    readonly nowMs: number,
  ) {}
}

const NO_REQUEST_IDS: ReadonlyMap<string, string> = new Map();

/** Adds what a committed transaction's scratch learned to the batch's. */
export function mergeScratch(into: BatchScratch, from: BatchScratch): void {
  for (const [k, v] of from.earned) into.earned.set(k, v);
  for (const [k, v] of from.userTotals) into.userTotals.set(k, v);
  for (const [k, v] of from.cityTotals) into.cityTotals.set(k, v);
  for (const [k, v] of from.weekTotals) into.weekTotals.set(k, v);
  into.skipperHashes.push(...from.skipperHashes);
  into.claimed.push(...from.claimed);
  into.workClaimed.push(...from.workClaimed);
  into.owedEarlier.push(...from.owedEarlier);
}
