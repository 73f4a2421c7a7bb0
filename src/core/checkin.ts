import { normaliseMsisdn } from './msisdn.js';
import { err, ok, type Result } from './result.js';

export const CHANNELS = ['app', 'ussd', 'sms', 'partner'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The canonical check-in every adapter (JSON API, USSD dialect, SMS) produces. */
export interface CheckInCommand {
  readonly msisdn: string;
  readonly venueId: string;
  readonly channel: Channel;
  /** Who asked: an API client id, or `ussd:<vendor>` / `sms:<route>`. Scopes `requestKey`. */
  readonly clientId: string;
  /** Idempotency key within `clientId`, if any (Idempotency-Key header, USSD session+hop). */
  readonly requestKey: string | null;
  /** Fingerprint of the request body, to tell a replay from a different request under one key. */
  readonly requestHash: string | null;
  /** Epoch ms when the gateway received it. */
  readonly at: number;
  /** The request's id (logs and the events it produces; not stored). */
  readonly requestId?: string;
}

export interface Venue {
  readonly id: string;
  readonly name: string;
  readonly city: string;
  readonly open: boolean;
  /** Short numeric code for keypads (USSD/SMS); a digits-only id serves as its own code. */
  readonly code: string | null;
  readonly version: number;
}

/** A committed check-in as replies and events see it. */
export interface CheckIn {
  readonly id: string;
  readonly msisdn: string;
  readonly venueId: string;
  readonly site: string;
  readonly channel: Channel;
  readonly at: number;
  readonly rewarded: boolean;
}

export type CheckInRejection =
  | { readonly code: 'VALIDATION_FAILED'; readonly field: string; readonly message: string }
  | { readonly code: 'VENUE_NOT_FOUND'; readonly message: string }
  | { readonly code: 'VENUE_CLOSED'; readonly message: string };

export interface CheckInInput {
  readonly msisdn: unknown;
  readonly venueId: unknown;
  readonly channel: unknown;
}

const VENUE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** Validates the wire-independent part of a check-in (field shapes, E.164, channel). */
export function parseCheckInInput(
  input: CheckInInput,
  defaultCountryCode: string,
): Result<{ msisdn: string; venueId: string; channel: Channel }, CheckInRejection> {
  const msisdn = normaliseMsisdn(input.msisdn, defaultCountryCode);
  if (!msisdn.ok) return err({ code: 'VALIDATION_FAILED', field: 'msisdn', message: msisdn.error });
  if (typeof input.venueId !== 'string' || !VENUE_ID.test(input.venueId)) {
    return err({
      code: 'VALIDATION_FAILED',
      field: 'venueId',
      message: 'venueId must be 1–32 letters, digits, "_" or "-"',
    });
  }
  const channel = input.channel ?? 'app';
  if (typeof channel !== 'string' || !(CHANNELS as readonly string[]).includes(channel)) {
    return err({
      code: 'VALIDATION_FAILED',
      field: 'channel',
      message: `channel must be one of ${CHANNELS.join(', ')}`,
    });
  }
  return ok({ msisdn: msisdn.value, venueId: input.venueId, channel: channel as Channel });
}

/** A venue must exist and be open to take check-ins. */
export function checkVenue(venue: Venue | undefined, venueId: string): Result<Venue, CheckInRejection> {
  if (!venue) return err({ code: 'VENUE_NOT_FOUND', message: `venue ${venueId} does not exist` });
  if (!venue.open) return err({ code: 'VENUE_CLOSED', message: `venue ${venueId} is closed` });
  return ok(venue);
}

/**
 * Venue names reach subscribers' USSD screens and SMS: a newline would forge menu lines, a
 * control character garble a handset, a bidirectional override (U+202A–U+202E, U+2066–U+2069)
 * reverse what follows. Joiners (U+200C/U+200D) stay: scripts such as Devanagari need them.
 */
export const UNPRINTABLE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

const CITY = /^[\p{L}\p{N} _.'-]{1,64}$/u;

/** A city name: 1–64 letters, digits, spaces or . _ ' - (venues, profiles, board names). */
export function isCityName(value: string): boolean {
  return CITY.test(value);
}

export function isVenueId(value: string): boolean {
  return VENUE_ID.test(value);
}
