import { describe, expect, it } from 'vitest';
import { SmsHandler } from '../../../../src/gateway/sms/sms-handler.js';
import { gsm7Length } from '../../../../src/gateway/ussd/gsm7.js';
import { InMemoryUssdServices, VENUES } from '../ussd/support/in-memory-services.js';

const NOW = Date.UTC(2026, 10, 28, 12);

function setup() {
  const services = new InMemoryUssdServices(VENUES);
  const sms = new SmsHandler(services, { serviceCode: '*384#' });
  const send = async (text: string, from = '254711000001', id: string | null = null) => {
    const reply = await sms.handle({ from, to: '3840', text, id }, NOW);
    expect(gsm7Length(reply), reply).toBeGreaterThanOrEqual(0);
    expect(gsm7Length(reply), reply).toBeLessThanOrEqual(160);
    return reply;
  };
  return { services, send };
}

describe('SMS commands', () => {
  it('CHECKIN checks in through the same services, once per message id', async () => {
    const { services, send } = setup();
    expect(await send('checkin 123', '254711000001', 'k1')).toBe('Checked in at Java House! You earned points. Send POINTS in a minute to see them.');
    expect(await send('checkin 123', '254711000001', 'k1')).toBe('Checked in at Java House! You earned points. Send POINTS in a minute to see them.');
    expect(services.checkIns).toEqual([{ msisdn: '+254711000001', venueId: 'v-123', rewarded: true, requestKey: 'k1', channel: 'sms' }]);
    expect(await send('CHECKIN 123', '254711000001', 'k2')).toBe('Checked in at Java House. Already rewarded there today, no new points. Total 0 points.');
  });

  it('keeps replies within one GSM-7 SMS with long and non-GSM venue names', async () => {
    const { send } = setup();
    expect(await send('CHECKIN 4711')).toMatch(/^Checked in at Mama Oliech .*(\)|\.\.)! You earned points\. Send POINTS in a minute to see them\.$/);
    const longest = await send('CHECKIN 8080', '254711000002');
    expect(longest).toMatch(/^Checked in at The Grand Kilimanjaro .*\.\.! You earned points\. Send POINTS in a minute to see them\.$/);
    expect(gsm7Length(longest)).toBe(160);
    expect(await send('CHECKIN 555')).toBe('Checked in at Café "Zanzibar" - Old Town Rooftop Terrace and Shisha Lounge! You earned points. Send POINTS in a minute to see them.');
    expect(await send('CHECKIN 900')).toMatch(/^Checked in at \?+/);
  });

  it('answers unknown and closed venues, usage, help and nonsense', async () => {
    const { send } = setup();
    expect(await send('CHECKIN 999')).toBe('No venue has code 999. Send CHECKIN <venue code>, e.g. CHECKIN 123.');
    expect(await send('CHECKIN 777')).toBe('Closed Corner is closed now. Try another venue.');
    expect(await send('CHECKIN')).toBe('To check in, send CHECKIN <venue code>, e.g. CHECKIN 123.');
    expect(await send('HELP')).toBe('Hopgate: CHECKIN <venue code> to check in, POINTS for your points, TOP for the leaderboard. Or dial *384#.');
    expect(await send('bonjour')).toBe('Sorry, we did not understand. Send HELP for the commands.');
  });

  it('POINTS and TOP read the board; busy and bad numbers are answered', async () => {
    const { services, send } = setup();
    expect(await send('POINTS')).toBe('No points credited yet. Send CHECKIN <venue code> at a venue to earn points: they are credited shortly after.');
    expect(await send('TOP')).toBe('Nobody is on the leaderboard yet. Send CHECKIN <venue code> to be first!');
    for (let i = 0; i < 20; i++) services.setTotal(`+2547120000${String(i).padStart(2, '0')}`, 5000 - i);
    services.setTotal('+254711000001', 42);
    expect(await send('points')).toBe('You have 42 points. Your rank: #21.');
    const top = await send('top');
    expect(top.startsWith('Top players: 1. +2547*****000 5000 2. +2547*****001 4999')).toBe(true);
    services.busy = true;
    expect(await send('POINTS')).toBe('Sorry, we are busy right now. Please try again in a minute.');
    services.busy = false;
    expect(await send('POINTS', 'abc')).toBe('Sorry, this service is not available for your number.');
  });
});
