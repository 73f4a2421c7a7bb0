import { describe, expect, it } from 'vitest';
import { fitsUssdScreen } from '../../../../src/gateway/ussd/gsm7.js';
import { fill, paginate, screen } from '../../../../src/gateway/ussd/screen.js';

describe('screen', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(fill('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });

  it('shortens the venue name just enough to fit', () => {
    const text = screen(['Checked in at {venue}!', '0 Menu'], { venue: 'V'.repeat(300) });
    expect(fitsUssdScreen(text)).toBe(true);
    expect(text.length).toBe(182);
    expect(text).toMatch(/^Checked in at V+\.\.!\n0 Menu$/);
  });

  it('shortens on the UCS-2 budget when the screen needs UCS-2', () => {
    const text = screen(['{venue} पर चेक-इन!', '0 मेनू'], { venue: 'Long venue name '.repeat(10) });
    expect(text.length).toBeLessThanOrEqual(80);
    expect(text.endsWith('पर चेक-इन!\n0 मेनू')).toBe(true);
  });

  it('pages a list with "98 More" and clamps the page', () => {
    const items = Array.from({ length: 30 }, (_, i) => `${i + 1}. +2547****${String(i).padStart(3, '0')} ${1000 - i}`);
    const first = paginate('Top players - Global:', items, '98 More', '0 Back', 0);
    expect(first.hasMore).toBe(true);
    expect(first.text.startsWith('Top players - Global:\n1. ')).toBe(true);
    expect(first.text.endsWith('\n98 More\n0 Back')).toBe(true);
    expect(fitsUssdScreen(first.text)).toBe(true);
    const seen: string[] = [];
    for (let p = 0; ; p++) {
      const page = paginate('Top players - Global:', items, '98 More', '0 Back', p);
      expect(fitsUssdScreen(page.text)).toBe(true);
      seen.push(...page.text.split('\n').filter((l) => /^\d+\. /.test(l)));
      if (!page.hasMore) break;
    }
    expect(seen).toEqual(items);
    const beyond = paginate('Top players - Global:', items, '98 More', '0 Back', 99);
    expect(beyond.hasMore).toBe(false);
    expect(beyond.text.endsWith('\n0 Back')).toBe(true);
  });
});
