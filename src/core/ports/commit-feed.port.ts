/**
 * How the consumers of commits (the event pipeline, the sync thread) learn of new durable
 * check-ins. The check-in path announces each COMMIT once, after it returned, to every
 * subscriber; a subscriber must not block (it buffers or hands over) and must not throw.
 * Nothing is lost when a subscriber misses an announcement (a crash, a full buffer): the
 * work rows and the replication log are durable and each consumer recovers from them.
 */
export interface CommittedCheckIn {
  readonly id: string;
  /** Bit mask of post-processing events owed here (core/events.ts). */
  readonly owed: number;
  readonly committedMs: number;
  /**
   * Id of the request that made it (X-Request-Id), for the consumers' log lines. Carried in
   * memory only, never stored: work recovered after a crash has none.
   */
  readonly requestId?: string;
  /** How it came in (`app`, `partner`, `ussd`, `sms`) and from whom (`ussd:<vendor>`, an API client id): live figures. */
  readonly channel?: string;
  readonly source?: string;
}

export interface CommitSubscriber {
  committed(rows: readonly CommittedCheckIn[]): void;
}

export interface CommitFeed {
  /** Adds a subscriber; returns the function that removes it. */
  subscribe(subscriber: CommitSubscriber): () => void;
}
