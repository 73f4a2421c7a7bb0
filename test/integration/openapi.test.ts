import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putVenue, startGateway, type HttpResult, type TestGateway } from '../helpers/gateway-process.js';

/** Keeps docs/openapi.yaml true: real responses are validated against it. */
const doc = parse(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8'));
const ajv = new Ajv.default({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(doc, 'openapi');

function check(method: string, template: string, res: HttpResult): void {
  const op = doc.paths[template]?.[method.toLowerCase()];
  expect(op, `${method} ${template} is documented`).toBeDefined();
  let response = op.responses[String(res.status)];
  expect(response, `${method} ${template} documents status ${res.status}`).toBeDefined();
  if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop()];
  const [type, media] = Object.entries(response.content as Record<string, { schema: Record<string, unknown> }>)[0]!;
  expect(res.headers.get('content-type') ?? '').toContain(type);
  if (type !== 'application/json') return;
  const schema = media.schema.$ref ? { $ref: `openapi${media.schema.$ref}` } : media.schema;
  const validate = ajv.compile(schema);
  const ok = validate(res.json);
  expect(ok, `${method} ${template} ${res.status}: ${ajv.errorsText(validate.errors)}\n${res.text}`).toBe(true);
}

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({ config: { limits: { clientRatePerSec: 1, clientBurst: 40 } } });
});

afterAll(async () => {
  await gw?.stop();
});

describe('docs/openapi.yaml', () => {
  it('describes every reply the API gives', async () => {
    check('PUT', '/v1/venues/{id}', await putVenue(gw, 'V1', { name: 'Kiosk', city: 'Nairobi', code: '55' }));
    check('PUT', '/v1/venues/{id}', await putVenue(gw, 'V1', { name: 'Kiosk 2', city: 'Nairobi', code: '55' }));
    check('PUT', '/v1/venues/{id}', await putVenue(gw, 'V1', { name: '', city: 'Nairobi' }));
    check('PUT', '/v1/venues/{id}', await gw.request('PUT', '/v1/venues/V1', { name: 'x', city: 'y' }));
    check('GET', '/v1/venues/{id}', await gw.request('GET', '/v1/venues/V1'));
    check('GET', '/v1/venues/{id}', await gw.request('GET', '/v1/venues/V404'));
    const body = { msisdn: '+254755000001', venueId: 'V1' };
    check('POST', '/v1/checkins', await gw.request('POST', '/v1/checkins', body, { 'idempotency-key': 'k1' }));
    check('POST', '/v1/checkins', await gw.request('POST', '/v1/checkins', body, { 'idempotency-key': 'k1' }));
    check('POST', '/v1/checkins', await gw.request('POST', '/v1/checkins', body)); // not rewarded: kind none
    check('POST', '/v1/checkins', await gw.request('POST', '/v1/checkins', { msisdn: 'x' }));
    check('POST', '/v1/checkins', await gw.request('POST', '/v1/checkins', { msisdn: '2547123456789', venueId: 'V1' }));
    check('POST', '/v1/checkins', await gw.request('POST', '/v1/checkins', '{', {}));
    check('POST', '/v1/checkins', await gw.request('POST', '/v1/checkins', body, { 'x-api-key': 'nope' }));
    check('POST', '/v1/checkins', await gw.request('POST', '/v1/checkins', 'a', { 'content-type': 'text/plain' }));
    check('POST', '/v1/checkins', await gw.request('POST', '/v1/checkins', JSON.stringify({ a: 'x'.repeat(20_000) })));
    check('GET', '/v1/users/{msisdn}', await gw.request('GET', '/v1/users/+254755000001'));
    check('GET', '/v1/users/{msisdn}', await gw.request('GET', '/v1/users/+254755000009'));
    check('GET', '/v1/users/{msisdn}', await gw.request('GET', '/v1/users/abc'));
    check('GET', '/v1/leaderboards/{board}', await gw.request('GET', '/v1/leaderboards/global?limit=3'));
    check('GET', '/v1/leaderboards/{board}', await gw.request('GET', '/v1/leaderboards/city:Nairobi?around=%2B254755000001'));
    check('GET', '/v1/leaderboards/{board}', await gw.request('GET', '/v1/leaderboards/nope'));
    check('GET', '/v1/leaderboards/{board}', await gw.request('GET', '/v1/leaderboards/week?limit=0'));
    const made = await gw.request('POST', '/v1/checkins', { msisdn: '+254755000003', venueId: 'V1' });
    check('GET', '/v1/checkins/{id}', await gw.request('GET', `/v1/checkins/${made.json.checkin.id}`));
    check('GET', '/v1/checkins/{id}', await gw.request('GET', '/v1/checkins/12345'));
    check('GET', '/v1/checkins/{id}', await gw.request('GET', '/v1/checkins/abc'));
    check('GET', '/admin/sync', await gw.request('GET', '/admin/sync', undefined, { 'x-api-key': gw.adminKey }));
    check('GET', '/admin/sync', await gw.request('GET', '/admin/sync'));
    check('POST', '/internal/sync/v1/batches', await gw.request('POST', '/internal/sync/v1/batches', { origin: 'x', to: 'y', entries: [] }));
    const admin = { 'x-api-key': gw.adminKey };
    check('POST', '/v1/users/{msisdn}/port', await gw.request('POST', '/v1/users/+254755000003/port', { homeSite: 'test', telco: 'Airtel' }, admin));
    check('POST', '/v1/users/{msisdn}/port', await gw.request('POST', '/v1/users/+254755000003/port', { homeSite: 'mars' }, admin));
    check('POST', '/v1/users/{msisdn}/port', await gw.request('POST', '/v1/users/+254755000003/port', { homeSite: 'test' }));
    check('GET', '/v1/users/{msisdn}', await gw.request('GET', '/v1/users/+254755000003'));
    check('GET', '/healthz', await gw.request('GET', '/healthz'));
    check('GET', '/readyz', await gw.request('GET', '/readyz'));
    check('GET', '/metrics', await gw.request('GET', '/metrics'));
  });

  it('documents 429 with Retry-After once a client exceeds its rate', async () => {
    let res: HttpResult | undefined;
    for (let i = 0; i < 60; i++) {
      res = await gw.request('GET', '/v1/leaderboards/global');
      if (res.status === 429) break;
    }
    expect(res!.status).toBe(429);
    expect(res!.json.error.code).toBe('RATE_LIMITED');
    expect(Number(res!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    check('POST', '/v1/checkins', await gw.request('POST', '/v1/checkins', { msisdn: '+254755000002', venueId: 'V1' }));
  });
});
