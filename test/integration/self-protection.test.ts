import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';

/**
 * How the gateway protects itself from its callers: floods of unauthenticated probes,
 * bodies that never finish, clients that do not read. Real process, real sockets.
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({ config: { ussd: { vendors: { africastalking: {}, hubtel: {}, truroute: {} } } } });
  expect((await putVenue(gw, '123', { name: 'Mama Oliech', city: 'Nairobi' })).status).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A socket whose answer and close are observable while the test keeps writing. */
function openSocket(port: number): { sock: Socket; received: () => string; closedAt: () => number | null } {
  const sock = connect(port, '127.0.0.1');
  let out = '';
  let closedAt: number | null = null;
  sock.on('data', (d) => (out += d.toString()));
  sock.on('close', () => (closedAt = performance.now()));
  sock.on('error', () => {});
  return { sock, received: () => out, closedAt: () => closedAt };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await sleep(20);
}

describe('unauthenticated probes', () => {
  it('a flood of /readyz shares its probes: it stays ready and reads still reach MySQL', async () => {
    expect((await gw.request('POST', '/v1/checkins', { msisdn: '0712000001', venueId: '123' })).status).toBe(201);
    const flood: Promise<number>[] = [];
    for (let i = 0; i < 3000; i++) flood.push(fetch(gw.url + '/readyz').then((r) => r.status, () => -1));
    const read = gw.request('GET', '/v1/users/0712000001');
    const statuses = await Promise.all(flood);
    expect((await read).status).toBe(200);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }, 30_000);
});
