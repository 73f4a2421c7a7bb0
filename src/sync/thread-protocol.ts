/**
 * Messages between the main thread and the sync thread (one `worker_threads` Worker per
 * process). Plain data only: errors cross as codes and messages.
 */
import type { Config } from '../config/schema.js';
import type { Venue } from '../core/checkin.js';
import type { CommittedCheckIn } from '../core/ports/commit-feed.port.js';

export interface SyncThreadData {
  readonly siteId: string;
  readonly peers: Config['peers'];
  readonly sync: Config['sync'];
  readonly mysql: Config['mysql'];
  readonly logLevel: string;
  /** Events a check-in that arrives by sync owes at this site (core/events.ts). */
  readonly replicatedOwedMask: number;
}

export type ToSyncThread =
  /** New entries were committed: look now instead of at the next poll. */
  | { readonly type: 'nudge' }
  | { readonly type: 'status'; readonly id: number }
  /** A batch a peer sent here, to verify and apply. */
  | { readonly type: 'receive'; readonly id: number; readonly origin: string; readonly timestamp: string; readonly signature: string; readonly body: Uint8Array }
  /** Finish the batches in flight, save cursors, stop. */
  | { readonly type: 'drain' };

export type FromSyncThread =
  | { readonly type: 'status'; readonly id: number; readonly status: SyncStatus }
  | { readonly type: 'received'; readonly id: number; readonly reply: ReceiveReply }
  | { readonly type: 'drained' };

/** The outcome of a received batch, as the HTTP route answers it. */
export type ReceiveReply =
  | {
      readonly ok: true;
      readonly body: string;
      /** Check-ins new here, for the event pipeline. */
      readonly checkIns: readonly CommittedCheckIn[];
      readonly venues: readonly Venue[];
      /** Milliseconds from each new check-in's time at its origin to its commit here. */
      readonly lagsMs: readonly number[];
      readonly applied: number;
      readonly duplicates: number;
      readonly rejected: number;
    }
  | { readonly ok: false; readonly code: ReceiveRefusal; readonly message: string };

export type ReceiveRefusal = 'SYNC_UNSIGNED' | 'SYNC_BAD_SIGNATURE' | 'SYNC_STALE' | 'SYNC_UNKNOWN_PEER' | 'SYNC_MALFORMED_BATCH' | 'STORE_UNAVAILABLE';

export interface PeerStatus {
  readonly peer: string;
  readonly url: string;
  /** `standby`: another process of this site holds the sender lock. */
  readonly state: 'starting' | 'idle' | 'sending' | 'backoff' | 'standby' | 'stopped';
  readonly breaker: 'closed' | 'open' | 'half-open';
  /** Every log entry ≤ cursor was acknowledged by the peer. */
  readonly cursor: number;
  readonly highestRead: number;
  readonly holes: number;
  /** Records (check-ins, venues) not yet acknowledged. */
  readonly backlogRecords: number;
  readonly backlogEntries: number;
  /** Age of the oldest record not yet acknowledged; 0 when caught up. */
  readonly lagSeconds: number;
  readonly sentRecords: number;
  readonly sentBatches: number;
  readonly retries: number;
  readonly rejectedRecords: number;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly lastSuccessAt: number | null;
}

export interface SyncStatus {
  readonly site: string;
  /** Whether this process sends (holds the site's sender lock). */
  readonly leader: boolean;
  readonly peers: readonly PeerStatus[];
}
