import { describe, expect, it } from 'vitest';
import { parseSmsCommand } from '../../../../src/gateway/sms/sms-command.js';

describe('parseSmsCommand', () => {
  it.each([
    ['CHECKIN 123', { kind: 'checkin', venueCode: '123' }],
    ['  checkin    123  ', { kind: 'checkin', venueCode: '123' }],
    ['Check-in 4711', { kind: 'checkin', venueCode: '4711' }],
    ['check in 4711', { kind: 'checkin', venueCode: '4711' }],
    ['CHECKIN', { kind: 'checkin-usage' }],
    ['CHECKIN 1 2', { kind: 'checkin-usage' }],
    ['CHECKIN ***', { kind: 'checkin-usage' }],
    ['points', { kind: 'points' }],
    [' Points ', { kind: 'points' }],
    ['TOP', { kind: 'top' }],
    ['top\tnow', { kind: 'unknown' }],
    ['HELP', { kind: 'help' }],
    ['help me please', { kind: 'help' }],
    ['', { kind: 'help' }],
    ['   ', { kind: 'help' }],
    ['hello', { kind: 'unknown' }],
  ])('%j', (text, expected) => {
    expect(parseSmsCommand(text)).toEqual(expected);
  });
});
