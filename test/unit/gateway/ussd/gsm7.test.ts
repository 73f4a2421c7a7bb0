import { describe, expect, it } from 'vitest';
import { fitsUssdScreen, gsm7Length, isGsm7, toGsm7Lookalike, truncateTo } from '../../../../src/gateway/ussd/gsm7.js';

describe('GSM-7', () => {
  it('counts basic characters as 1 and extension characters as 2', () => {
    expect(gsm7Length('Hello @£$ äöü')).toBe(13);
    expect(gsm7Length('€[]{}')).toBe(10);
  });

  it('detects characters outside GSM-7', () => {
    expect(isGsm7('Java House')).toBe(true);
    expect(isGsm7('Caf\u2019e')).toBe(false);
    expect(isGsm7('नमस्ते')).toBe(false);
    expect(isGsm7('ç')).toBe(false); // only Ç is in the basic table
  });

  it('applies 182 septets in GSM-7 and 80 units in UCS-2', () => {
    expect(fitsUssdScreen('a'.repeat(182))).toBe(true);
    expect(fitsUssdScreen('a'.repeat(183))).toBe(false);
    expect(fitsUssdScreen('€'.repeat(91))).toBe(true);
    expect(fitsUssdScreen('€'.repeat(92))).toBe(false);
    expect(fitsUssdScreen('\u2019' + 'a'.repeat(79))).toBe(true);
    expect(fitsUssdScreen('\u2019' + 'a'.repeat(80))).toBe(false);
  });

  it('maps curly quotes and dashes to GSM-7 look-alikes', () => {
    expect(toGsm7Lookalike('Café “Zanzibar” – Bob’s')).toBe('Café "Zanzibar" - Bob\'s');
    expect(toGsm7Lookalike('दिल्ली')).toBe('दिल्ली');
  });

  it('truncates with a marker, never splitting a surrogate pair', () => {
    expect(truncateTo('abcdefgh', 6, 'gsm7')).toBe('abcd..');
    expect(truncateTo('abc', 6, 'gsm7')).toBe('abc');
    expect(truncateTo('a😀b', 3, 'ucs2')).toBe('a..');
    expect(truncateTo('€€€€', 6, 'gsm7')).toBe('€€..');
  });
});
