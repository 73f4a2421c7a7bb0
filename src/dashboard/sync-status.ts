/** One peer site as the sync thread sees it (the dashboard's sync section). */
export interface SyncPeerStatus {
  readonly peer: string;
  /** Age of the oldest check-in not yet acknowledged by the peer, seconds. */
  readonly lagSeconds: number;
  /** Check-ins waiting to be sent to the peer. */
  readonly backlog: number;
  /** The peer's circuit breaker: `closed`, `open` or `half-open`. */
  readonly breaker: string;
}

export interface SyncStatus {
  readonly peers: readonly SyncPeerStatus[];
}

/** Supplied by the sync thread once it exists; without it the dashboard shows "no peers". */
export type SyncStatusProvider = () => SyncStatus | Promise<SyncStatus>;
