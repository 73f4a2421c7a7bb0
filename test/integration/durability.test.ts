import { describe, expect, it } from 'vitest';
import { mysqlAdmin } from '../helpers/env.js';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';

interface Load {
  readonly acknowledged: string[];
  readonly failed: number;
}

/** Concurrent check-in loops until `stop()`; records every id the gateway acknowledged. */
function load(gw: TestGateway, loops: number, maxRequests: number): { stop(): void; acknowledged(): number; done: Promise<Load> } {
  let running = true;
  let sent = 0;
  const acknowledged: string[] = [];
  let failed = 0;
  const loop = async (n: number) => {
    while (running && sent < maxRequests) {
      const i = sent++;
      try {
        const res = await gw.request('POST', '/v1/checkins', { msisdn: `+2547${String(50_000_000 + n * 100_000 + i).slice(-8)}`, venueId: 'V1' });
        if (res.status === 201) acknowledged.push(res.json.checkin.id);
        else failed++;
      } catch {
        failed++; // connection refused or reset: never acknowledged
      }
    }
  };
  const done = Promise.all(Array.from({ length: loops }, (_, n) => loop(n))).then(() => ({ acknowledged, failed }));
  return { stop: () => (running = false), acknowledged: () => acknowledged.length, done };
}

async function owedWork(database: string, ids: readonly string[]): Promise<Map<string, number>> {
  const c = await mysqlAdmin(database);
  try {
    const found = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 1000) {
      const [rows] = await c.query('SELECT c.id, w.owed FROM checkins c JOIN checkin_work w ON w.checkin_id = c.id WHERE c.id IN (?)', [ids.slice(i, i + 1000)]);
      for (const r of rows as Array<{ id: string; owed: number }>) found.set(String(r.id), r.owed);
    }
    return found;
  } finally {
    await c.end();
  }
}

describe('durability', () => {
  it('keeps every acknowledged check-in, with the work it owes, when the process is killed abruptly', async () => {
    const gw = await startGateway();
    try {
      expect((await putVenue(gw, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
      const l = load(gw, 32, 50_000);
      // Let acknowledged check-ins pile up (replies received, not rows committed: on a busy box
      // many committed rows still have their reply on the way), then kill -9 mid-stream.
      while (l.acknowledged() < 500) await new Promise((r) => setTimeout(r, 20));
      gw.proc.kill('SIGKILL');
      await gw.exited;
      l.stop();
      const { acknowledged, failed } = await l.done;
      expect(acknowledged.length).toBeGreaterThanOrEqual(500);
      expect(failed).toBeGreaterThan(0); // the kill really hit requests in flight
      const found = await owedWork(gw.database, acknowledged);
      const missing = acknowledged.filter((id) => !found.has(id));
      expect(missing).toEqual([]);
      expect(new Set(found.values())).toEqual(new Set([31]));
    } finally {
      await gw.stop(); // the process is gone already (unless an expectation failed first)
    }
  });

  it('drains on SIGTERM: in-flight check-ins are answered and kept, then the process exits 0', async () => {
    const gw = await startGateway();
    try {
      expect((await putVenue(gw, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
      const l = load(gw, 32, 50_000);
      while ((await countSoFar(gw)) < 300) await new Promise((r) => setTimeout(r, 20));
      gw.proc.kill('SIGTERM');
      const code = await gw.exited;
      l.stop();
      const { acknowledged } = await l.done;
      expect(code).toBe(0);
      expect(gw.output()).toContain('"msg":"draining"');
      expect(gw.output()).toContain('"msg":"stopped"');
      const found = await owedWork(gw.database, acknowledged);
      expect(acknowledged.filter((id) => !found.has(id))).toEqual([]);
    } finally {
      await gw.stop(); // the process is gone already (unless an expectation failed first)
    }
  });
});

async function countSoFar(gw: TestGateway): Promise<number> {
  const c = await mysqlAdmin(gw.database);
  try {
    const [rows] = await c.query('SELECT COUNT(*) AS n FROM checkins');
    return Number((rows as Array<{ n: number }>)[0]!.n);
  } finally {
    await c.end();
  }
}
