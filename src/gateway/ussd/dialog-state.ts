import type { BoardKind } from './ussd-services.port.js';

/**
 * Where a subscriber is in the menu. Plain data: stored as JSON in the session, so any
 * gateway node can serve the next hop.
 */
export type DialogState =
  | { readonly s: 'menu'; readonly page: number }
  | { readonly s: 'checkin.code' }
  | { readonly s: 'checkin.done' }
  | { readonly s: 'points' }
  | { readonly s: 'top.choose' }
  | { readonly s: 'top.list'; readonly board: BoardKind; readonly page: number }
  | { readonly s: 'skipper.code' }
  | { readonly s: 'skipper.done' }
  | { readonly s: 'help'; readonly page: number }
  | { readonly s: 'lang' }
  | { readonly s: 'end' };

const NAMES = new Set<string>([
  'menu', 'checkin.code', 'checkin.done', 'points', 'top.choose', 'top.list',
  'skipper.code', 'skipper.done', 'help', 'lang', 'end',
]);

/** Validates a state read back from Redis (another version may have written it). */
export function isDialogState(v: unknown): v is DialogState {
  if (v === null || typeof v !== 'object') return false;
  const s = (v as { s?: unknown }).s;
  if (typeof s !== 'string' || !NAMES.has(s)) return false;
  const o = v as Record<string, unknown>;
  if ((s === 'menu' || s === 'help' || s === 'top.list') && !Number.isInteger(o.page)) return false;
  if (s === 'top.list' && o.board !== 'global' && o.board !== 'city' && o.board !== 'week') return false;
  return true;
}
