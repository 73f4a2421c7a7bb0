import { describe, expect, it } from 'vitest';
import { checkVenue, parseCheckInInput, type Venue } from '../../../src/core/checkin.js';

const venue: Venue = { id: 'V1', name: 'Kiosk', city: 'Nairobi', open: true, code: null, version: 1 };

describe('check-in rules', () => {
  it('normalises and defaults the channel to app', () => {
    expect(parseCheckInInput({ msisdn: '0712345678', venueId: 'V1', channel: undefined }, '254')).toEqual({
      ok: true,
      value: { msisdn: '+254712345678', venueId: 'V1', channel: 'app' },
    });
  });

  it('names the field that is wrong', () => {
    const r = parseCheckInInput({ msisdn: '+254712345678', venueId: 'V 1', channel: 'app' }, '254');
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', field: 'venueId' } });
    const c = parseCheckInInput({ msisdn: '+254712345678', venueId: 'V1', channel: 'fax' }, '254');
    expect(c).toMatchObject({ ok: false, error: { field: 'channel' } });
  });

  it('needs the venue to exist and be open', () => {
    expect(checkVenue(undefined, 'X')).toMatchObject({ ok: false, error: { code: 'VENUE_NOT_FOUND' } });
    expect(checkVenue({ ...venue, open: false }, 'V1')).toMatchObject({ ok: false, error: { code: 'VENUE_CLOSED' } });
    expect(checkVenue(venue, 'V1')).toEqual({ ok: true, value: venue });
  });
});
