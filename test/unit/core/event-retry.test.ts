import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../../src/core/event-retry.js';

describe('retryDelayMs', () => {
  it('doubles per attempt between half and the full nominal delay', () => {
    expect(retryDelayMs(1, 1000, 60_000, 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 60_000, 1)).toBe(1000);
    expect(retryDelayMs(3, 1000, 60_000, 0)).toBe(2000);
    expect(retryDelayMs(3, 1000, 60_000, 1)).toBe(4000);
  });

  it('is capped', () => {
    expect(retryDelayMs(40, 1000, 60_000, 1)).toBe(60_000);
  });
});
