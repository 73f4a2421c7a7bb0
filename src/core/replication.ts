import type { Channel } from './checkin.js';

/**
 * What replicates between sites: check-ins, venues and subscriber profiles. Check-ins
 * are immutable and keep their origin id; a venue replicates as its whole current state,
 * and the higher (version, site) wins at every site, whatever the order of arrival.
 */
/** A check-in as it replicates: immutable, keeps its origin id, site, channel and time. */
export interface CheckInRecord {
  readonly type: 'checkin';
  readonly id: string;
  readonly msisdn: string;
  readonly venueId: string;
  readonly channel: Channel;
  /** The site where it was made (always the batch's origin: sites do not relay). */
  readonly site: string;
  readonly at: number;
  /** Its local day at the origin (the reward-day key). */
  readonly day: string;
}

/** A venue's whole current state; the higher (version, site) wins everywhere. */
export interface VenueRecord {
  readonly type: 'venue';
  readonly id: string;
  readonly name: string;
  readonly city: string;
  readonly open: boolean;
  readonly code: string | null;
  readonly version: number;
  /** The site that made this version. */
  readonly site: string;
}

/**
 * A subscriber's profile as it replicates after an explicit change (a port): the higher
 * (version, site) wins everywhere.
 */
export interface ProfileRecord {
  readonly type: 'profile';
  /** The subscriber's E.164 number (the record's id). */
  readonly id: string;
  readonly homeSite: string;
  readonly telco: string | null;
  readonly city: string | null;
  readonly lang: string | null;
  readonly version: number;
  /** The site that made this version. */
  readonly site: string;
}

export type SyncRecord = CheckInRecord | VenueRecord | ProfileRecord;

/** One replication log entry of the origin: its sequence number and what it wrote. */
export interface SyncEntry {
  readonly seq: number;
  readonly records: readonly SyncRecord[];
}

/** A record the receiving site refused; the origin parks it as a dead letter. */
export interface SyncRejection {
  readonly seq: number;
  readonly type: string;
  readonly id: string;
  readonly reason: string;
}


const TELCO = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,15}$/;

/** A telco's name in a profile: 1–16 letters, digits, space . _ - (the port API and sync). */
export function isTelcoName(value: string): boolean {
  return TELCO.test(value);
}
