/**
 * Check-in ids travel as decimal strings, but must reach MySQL as integers: compared with a
 * BIGINT column, a quoted id may be compared as a DOUBLE (row constructors such as
 * `(checkin_id, kind) IN (…)` do this), and doubles cannot tell apart ids 64 apart.
 * mysql2 writes a bigint unquoted.
 */
export function sqlIds(ids: readonly string[]): bigint[] {
  const out: bigint[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = BigInt(ids[i]!);
  return out;
}
