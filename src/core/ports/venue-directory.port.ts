import type { Venue } from '../checkin.js';

/** Venues as the check-in path sees them: an in-memory snapshot refreshed from MySQL. */
export interface VenueDirectoryPort {
  get(id: string): Venue | undefined;
  /** Venue by keypad code (USSD/SMS): its `code`, or its id when the id is all digits. */
  byCode(code: string): Venue | undefined;
}
