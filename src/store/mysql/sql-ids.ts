/**
 * Check-in ids travel as decimal strings, but must reach MySQL as integers: compared with a
 * BIGINT column, a quoted id may be compared as a DOUBLE (row constructors such as
 * `(checkin_id, kind) IN (…)` do this), and doubles cannot tell apart ids 64 apart.
 *
 * `sqlIds(ids)` is the list for an `IN (?)` placeholder: each id is checked to be an unsigned
 * decimal integer, and the list is written unquoted, joined once (mysql2 inserts what
 * `toSqlString` returns as it is). A batch's lists hold thousands of ids; converting each to
 * a BigInt for mysql2 to print back cost the workers an allocation and an escape per id.
 */
export class SqlIdList {
  private readonly text: string;

  constructor(ids: readonly string[]) {
    for (let i = 0; i < ids.length; i++) {
      if (!ID.test(ids[i]!)) throw new TypeError(`not a check-in id: ${JSON.stringify(ids[i])}`);
    }
    // An empty list would be `IN ()`, a syntax error: NULL matches nothing.
    this.text = ids.length === 0 ? 'NULL' : ids.join(',');
  }

  toSqlString(): string {
    return this.text;
  }
}

const ID = /^[0-9]{1,20}$/;

export function sqlIds(ids: readonly string[]): SqlIdList {
  return new SqlIdList(ids);
}
