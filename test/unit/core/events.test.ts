import { describe, expect, it } from 'vitest';
import { ALL_EVENTS_MASK, eventsInMask, eventsOwedHere, type Capability } from '../../../src/core/events.js';

const caps = (...c: Capability[]) => new Set<Capability>(c);

describe('eventsOwedHere', () => {
  it('owes all five events at a site holding every capability', () => {
    expect(eventsOwedHere(caps('checkin', 'points', 'notify'), true)).toBe(ALL_EVENTS_MASK);
  });

  it('runs points events only at the points site', () => {
    expect(eventsInMask(eventsOwedHere(caps('checkin', 'notify'), true))).toEqual(['notify.user', 'stats.record']);
    expect(eventsInMask(eventsOwedHere(caps('points'), false))).toEqual([
      'points.award',
      'leaderboard.update',
      'skipper.evaluate',
      'stats.record',
    ]);
  });

  it('notifies only at the origin site', () => {
    expect(eventsInMask(eventsOwedHere(caps('checkin', 'notify'), false))).toEqual(['stats.record']);
  });
});
