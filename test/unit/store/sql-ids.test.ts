import { format } from 'mysql2';
import { describe, expect, it } from 'vitest';
import { sqlIds } from '../../../src/store/mysql/sql-ids.js';

describe('sqlIds', () => {
  it('writes check-in ids unquoted, as integers, beyond 2^53', () => {
    expect(format('SELECT 1 FROM t WHERE id IN (?)', [sqlIds(['18446744073709551615', '9007199254740993'])])).toBe(
      'SELECT 1 FROM t WHERE id IN (18446744073709551615,9007199254740993)',
    );
  });

  it('refuses anything that is not an unsigned decimal integer', () => {
    for (const bad of ['1 OR 1=1', '-1', '', '1e3', '0x10', '123456789012345678901']) expect(() => sqlIds(['1', bad])).toThrow(TypeError);
  });

  it('matches nothing when empty', () => {
    expect(format('DELETE FROM t WHERE id IN (?)', [sqlIds([])])).toBe('DELETE FROM t WHERE id IN (NULL)');
  });
});
