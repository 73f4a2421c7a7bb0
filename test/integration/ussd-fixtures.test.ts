import { afterAll, beforeAll, describe, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { loadFixtures, runFixture } from './ussd/fixture-runner.js';
import { putUssdVenues } from './ussd/venues.js';

/**
 * Every recorded-style fixture in test/fixtures/ussd/<dialect>/ and test/fixtures/sms/
 * replayed over real HTTP against a real gateway (its own MariaDB database and Redis
 * prefix): exact status, headers and body.
 */
let gw: TestGateway;

beforeAll(async () => {
  // A generous USSD deadline: on a loaded test box a check-in must not turn into "busy".
  gw = await startGateway({ config: { ussd: { deadlineMs: 3000 } } });
  await putUssdVenues(gw);
});

afterAll(async () => {
  await gw?.stop();
});

for (const dialect of ['africastalking', 'hubtel', 'flares', 'truroute', 'imimobile']) {
  describe(`USSD fixtures: ${dialect}`, () => {
    for (const fx of loadFixtures(`ussd/${dialect}`)) {
      it(`${fx.file}: ${fx.description}`, () => runFixture(gw.url, `/ussd/${dialect}`, fx));
    }
  });
}

describe('SMS fixtures: kannel', () => {
  for (const fx of loadFixtures('sms/kannel')) {
    it(`${fx.file}: ${fx.description}`, () => runFixture(gw.url, '/sms/kannel', fx));
  }
});
