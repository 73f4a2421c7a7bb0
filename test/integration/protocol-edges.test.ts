import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { rawRequest } from '../helpers/raw-http.js';

/** HTTP edges found by fuzzing (issue 12), sent as raw bytes: what fetch would not send. */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway();
  expect((await putVenue(gw, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
});

/** Splits what came back on one connection into replies (status, headers, body by Content-Length). */
function replies(raw: string): Array<{ status: number; head: string; body: string }> {
  const out = [];
  let rest = raw;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    const head = rest.slice(0, end);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
    out.push({ status: Number(head.slice(9, 12)), head, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  expect(rest, 'bytes after the last reply').toBe('');
  return out;
}

describe('protocol edges', () => {
  it('a check-in body nested 5,000 levels deep, with an Idempotency-Key, is refused 400 BAD_JSON (not 500)', async () => {
    const body = `{"msisdn":${'['.repeat(5000)}${']'.repeat(5000)},"venueId":"V1"}`;
    const res = await gw.request('POST', '/v1/checkins', body, { 'idempotency-key': 'deep-1' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('BAD_JSON');
    expect(res.json.error.message).toMatch(/deeper than 32 levels/);
    // The gateway is fine afterwards.
    expect((await gw.request('POST', '/v1/checkins', { msisdn: '+254737000001', venueId: 'V1' })).status).toBe(201);
  });

  it('HEAD is answered without a body, so the next reply on the connection is intact', async () => {
    const raw = await rawRequest(
      gw.port,
      (s) => s.write('HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\nHEAD /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      1500,
    );
    const [head, get, head404] = replies(raw);
    expect(head!.status).toBe(405);
    expect(head!.head).toMatch(/\r\nAllow: GET/);
    expect(head!.body).toBe('');
    expect(get!.status).toBe(200);
    expect(JSON.parse(get!.body)).toEqual({ status: 'ok' });
    expect(head404!.status).toBe(404);
    expect(head404!.body).toBe('');
  });

  it('two Content-Length headers: 400 and the connection is closed (nothing smuggled through)', async () => {
    const smuggled = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    const body = `{"msisdn":"+254737000002","venueId":"V1"}`;
    const raw = await rawRequest(gw.port, (s) =>
      s.write(
        `POST /v1/checkins HTTP/1.1\r\nHost: x\r\nX-Api-Key: ${gw.clientKey}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nContent-Length: ${body.length + smuggled.length}\r\n\r\n${body}${smuggled}`,
      ),
    );
    const got = replies(raw);
    expect(got[0]!.status).toBe(400);
    expect(JSON.parse(got[0]!.body).error).toMatchObject({ code: 'BAD_REQUEST', message: 'the request has more than one Content-Length header' });
    // uWS parses the bytes it already read as a further request: refused, not served.
    for (const r of got.slice(1)) expect(JSON.parse(r.body).error).toMatchObject({ code: 'BAD_REQUEST', message: 'the request follows a badly framed one' });
    const user = await gw.request('GET', '/v1/users/+254737000002');
    expect(user.status).toBe(404); // the check-in was not processed
  });

  it('Content-Length with Transfer-Encoding, or a Content-Length list, is never served', async () => {
    // uWS itself drops these connections; our own check answers 400 should it ever pass them
    // on. Served, they would get 401 (no API key).
    for (const headers of ['Content-Length: 3\r\nTransfer-Encoding: chunked', 'Content-Length: 3, 3']) {
      const raw = await rawRequest(gw.port, (s) => s.write(`POST /v1/checkins HTTP/1.1\r\nHost: x\r\n${headers}\r\n\r\n{}\r\n`), 1500);
      for (const r of replies(raw)) expect(r.status, headers).toBe(400);
    }
  });
});
