/**
 * The wire contract between sites: what `POST /internal/sync/v1/batches` carries and
 * answers. Pure: validation here decides, per record, whether a peer's record may be
 * applied; store-level refusals (a venue code taken here) come from the inbox.
 */
import { CHANNELS, isCityName, isVenueId, UNPRINTABLE, type Channel } from '../core/checkin.js';
import { isTelcoName, type SyncEntry, type SyncRecord, type SyncRejection } from '../core/replication.js';

export type { CheckInRecord, ProfileRecord, SyncEntry, SyncRecord, SyncRejection, VenueRecord } from '../core/replication.js';

export const SYNC_PATH = '/internal/sync/v1/batches';
export const HEADER_ORIGIN = 'x-hopgate-origin';
export const HEADER_TIMESTAMP = 'x-hopgate-timestamp';
export const HEADER_SIGNATURE = 'x-hopgate-signature';

export interface SyncBatch {
  readonly origin: string;
  /** The site it is meant for: a batch signed for one peer is refused by another. */
  readonly to: string;
  readonly entries: readonly SyncEntry[];
}

export interface SyncBatchReply {
  /** Entries applied now. */
  readonly applied: number;
  /** Entries this site had applied before (a resent batch). */
  readonly duplicates: number;
  readonly rejected: readonly SyncRejection[];
}

const MSISDN = /^\+[1-9][0-9]{6,14}$/;
const SNOWFLAKE = /^[1-9][0-9]{0,18}$/;
const DAY = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const SITE = /^[a-z][a-z0-9-]{0,15}$/;
const MAX_ID = (1n << 63n) - 1n;

export type RecordCheck = { readonly ok: true; readonly record: SyncRecord } | { readonly ok: false; readonly type: string; readonly id: string; readonly reason: string };

/** Checks one record of a batch from `origin` against its contract. */
export function checkRecord(value: unknown, origin: string): RecordCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('?', '?', 'a record must be an object');
  const r = value as Record<string, unknown>;
  const type = typeof r.type === 'string' ? r.type.slice(0, 8) : '?';
  const id = typeof r.id === 'string' ? r.id.slice(0, 40) : '?';
  if (r.type === 'checkin') return checkCheckIn(r, origin, id);
  if (r.type === 'venue') return checkVenue(r, id);
  if (r.type === 'profile') return checkProfile(r, id);
  return bad(type, id, 'unknown record type');
}

function checkCheckIn(r: Record<string, unknown>, origin: string, id: string): RecordCheck {
  if (typeof r.id !== 'string' || !SNOWFLAKE.test(r.id) || BigInt(r.id) > MAX_ID) return bad('checkin', id, 'id must be a decimal 63-bit check-in id');
  if (r.site !== origin) return bad('checkin', id, `site must be the origin ${origin}: sites do not relay check-ins`);
  if (typeof r.msisdn !== 'string' || !MSISDN.test(r.msisdn)) return bad('checkin', id, 'msisdn must be E.164');
  if (typeof r.venueId !== 'string' || !isVenueId(r.venueId)) return bad('checkin', id, 'venueId is not a venue id');
  if (typeof r.channel !== 'string' || !(CHANNELS as readonly string[]).includes(r.channel)) return bad('checkin', id, 'unknown channel');
  if (typeof r.at !== 'number' || !Number.isSafeInteger(r.at) || r.at <= 0) return bad('checkin', id, 'at must be epoch milliseconds');
  if (typeof r.day !== 'string' || !DAY.test(r.day)) return bad('checkin', id, 'day must be YYYY-MM-DD');
  return {
    ok: true,
    record: { type: 'checkin', id: r.id, msisdn: r.msisdn, venueId: r.venueId, channel: r.channel as Channel, site: origin, at: r.at, day: r.day },
  };
}

function checkVenue(r: Record<string, unknown>, id: string): RecordCheck {
  if (typeof r.id !== 'string' || !isVenueId(r.id)) return bad('venue', id, 'id is not a venue id');
  if (typeof r.name !== 'string' || r.name.trim().length === 0 || r.name.length > 120 || UNPRINTABLE.test(r.name)) {
    return bad('venue', id, 'name must be 1–120 printable characters');
  }
  if (typeof r.city !== 'string' || !isCityName(r.city)) return bad('venue', id, 'city is not a city name');
  if (typeof r.open !== 'boolean') return bad('venue', id, 'open must be a boolean');
  if (r.code !== null && (typeof r.code !== 'string' || !/^[0-9]{1,16}$/.test(r.code))) return bad('venue', id, 'code must be null or 1–16 digits');
  if (typeof r.version !== 'number' || !Number.isSafeInteger(r.version) || r.version < 1) return bad('venue', id, 'version must be a positive integer');
  if (typeof r.site !== 'string' || !SITE.test(r.site)) return bad('venue', id, 'site is not a site id');
  return {
    ok: true,
    record: { type: 'venue', id: r.id, name: r.name, city: r.city, open: r.open, code: r.code as string | null, version: r.version, site: r.site },
  };
}

function checkProfile(r: Record<string, unknown>, id: string): RecordCheck {
  if (typeof r.id !== 'string' || !MSISDN.test(r.id)) return bad('profile', id, 'id must be an E.164 number');
  if (typeof r.homeSite !== 'string' || !SITE.test(r.homeSite)) return bad('profile', id, 'homeSite is not a site id');
  if (r.telco !== null && (typeof r.telco !== 'string' || !isTelcoName(r.telco))) return bad('profile', id, 'telco must be null or 1–16 letters, digits, space . _ -');
  if (r.city !== null && (typeof r.city !== 'string' || !isCityName(r.city))) return bad('profile', id, 'city must be null or a city name');
  if (r.lang !== null && (typeof r.lang !== 'string' || !/^[a-z]{2,3}$/.test(r.lang))) return bad('profile', id, 'lang must be null or a language code');
  if (typeof r.version !== 'number' || !Number.isSafeInteger(r.version) || r.version < 1) return bad('profile', id, 'version must be a positive integer');
  if (typeof r.site !== 'string' || !SITE.test(r.site)) return bad('profile', id, 'site is not a site id');
  return {
    ok: true,
    record: { type: 'profile', id: r.id, homeSite: r.homeSite, telco: r.telco as string | null, city: r.city as string | null, lang: r.lang as string | null, version: r.version, site: r.site },
  };
}

function bad(type: string, id: string, reason: string): RecordCheck {
  return { ok: false, type, id, reason };
}

export interface ParsedBatch {
  readonly origin: string;
  readonly to: string;
  /** Entries with the records that passed their contract. */
  readonly entries: ReadonlyArray<{ readonly seq: number; readonly records: SyncRecord[] }>;
  readonly rejected: SyncRejection[];
}

/**
 * Parses a batch body. A body that is not a batch at all is an error (the whole request is
 * refused); a record that breaks its contract is only rejected with its reason, and the good
 * records of the batch apply.
 */
export function parseBatch(body: string): { ok: true; batch: ParsedBatch } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'a batch must be an object' };
  const b = value as Record<string, unknown>;
  if (typeof b.origin !== 'string' || !SITE.test(b.origin)) return { ok: false, reason: 'origin must be a site id' };
  if (typeof b.to !== 'string' || !SITE.test(b.to)) return { ok: false, reason: 'to must be a site id' };
  if (!Array.isArray(b.entries)) return { ok: false, reason: 'entries must be an array' };
  const entries: Array<{ seq: number; records: SyncRecord[] }> = [];
  const rejected: SyncRejection[] = [];
  for (const e of b.entries as unknown[]) {
    const entry = e as { seq?: unknown; records?: unknown } | null;
    if (typeof entry !== 'object' || entry === null || typeof entry.seq !== 'number' || !Number.isSafeInteger(entry.seq) || entry.seq < 1 || !Array.isArray(entry.records)) {
      return { ok: false, reason: 'every entry needs a positive integer seq and a records array' };
    }
    const records: SyncRecord[] = [];
    for (const r of entry.records as unknown[]) {
      const checked = checkRecord(r, b.origin);
      if (checked.ok) records.push(checked.record);
      else rejected.push({ seq: entry.seq, type: checked.type, id: checked.id, reason: checked.reason });
    }
    entries.push({ seq: entry.seq, records });
  }
  return { ok: true, batch: { origin: b.origin, to: b.to, entries, rejected } };
}
