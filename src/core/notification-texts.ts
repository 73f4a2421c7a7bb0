/** Texts of subscriber messages (SMS-sized: plain ASCII where possible, under 160 chars). */

export interface ConfirmationFacts {
  readonly venueName: string;
  readonly rewarded: boolean;
  /** Points this check-in earned; null where points are computed at another site. */
  readonly points: number | null;
  /** The user's total after it; null when unknown here. */
  readonly total: number | null;
}

export function checkInConfirmation(f: ConfirmationFacts): string {
  const venue = clip(f.venueName, 60);
  if (!f.rewarded) return `Checked in at ${venue}. You were already rewarded there today.`;
  if (f.points === null) return `Checked in at ${venue}. Your points are on their way.`;
  const total = f.total === null ? '' : ` Total: ${f.total}.`;
  // Only the daily cap leaves a rewarded check-in with nothing: say so, not "+0 points".
  if (f.points === 0) return `Checked in at ${venue}. No points this time: you reached today's limit.${total}`;
  return `Checked in at ${venue}: +${f.points} points.${total}`;
}

export function skipperGained(venueName: string, days: number): string {
  return `You are now the skipper of ${clip(venueName, 60)}: ${days} day${days === 1 ? '' : 's'} there lately. Keep it up!`;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
