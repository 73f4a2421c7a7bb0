import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../src/util/circuit-breaker.js';

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, lets one probe through later, closes on success', () => {
    let now = 0;
    const b = new CircuitBreaker('db', 3, 2000, () => now);
    b.failure();
    b.failure();
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    expect(b.retryAfterSec()).toBe(2);
    now = 1250;
    expect(b.retryAfterMs()).toBe(750);
    now = 2500;
    expect(b.retryAfterMs()).toBe(0);
    expect(b.allow()).toBe(true); // the probe
    expect(b.allow()).toBe(false); // only one
    b.success();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
  });

  it('re-opens when the probe fails', () => {
    let now = 0;
    const b = new CircuitBreaker('db', 1, 1000, () => now);
    b.failure();
    now = 1500;
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.allow()).toBe(false);
  });
});
