import { expect } from 'vitest';
import { mysqlAdmin } from './env.js';
import { eventually } from './sync-sites.js';
import type { PartitionRig, PartitionRun } from './partition-rig.js';

/**
 * What a partition run must end with: no site refused a check-in while cut off or not; every
 * site holds exactly the accepted check-ins (count and checksum, so none missing, none extra,
 * none twice); the points site's totals equal its ledger for every user, with every event of
 * every check-in (local or replicated) done.
 */
export async function expectConvergedAfterPartition(rig: PartitionRig, run: PartitionRun): Promise<void> {
  expect(run.loads.flatMap((l) => l.errors)).toEqual([]);
  const accepted = run.loads.reduce((n, l) => n + l.ids.length, 0);
  expect(run.expected.count).toBe(accepted);
  expect(run.convergedAfterHealMs).not.toBeNull();
  for (const s of rig.sites) {
    const c = await mysqlAdmin(s.database);
    try {
      const [rows] = await c.query('SELECT COUNT(*) n, COUNT(DISTINCT id) d, COUNT(DISTINCT site) sites FROM checkins');
      const r = (rows as Array<{ n: string; d: string; sites: string }>)[0]!;
      expect([Number(r.n), Number(r.d), Number(r.sites)]).toEqual([accepted, accepted, 3]);
    } finally {
      await c.end();
    }
  }
  let last: Awaited<ReturnType<PartitionRig['pointsInvariants']>> | null = null;
  const settled = await eventually(async () => {
    last = await rig.pointsInvariants();
    return last.problems.length === 0;
  }, 60_000, 500);
  expect(last!.problems).toEqual([]);
  expect(settled).toBe(true);
  expect(last!.ledgerRows).toBeGreaterThan(0);
  const pa = await mysqlAdmin(rig.site('pa').database);
  try {
    // Every check-in of every site owes its events at the points site, and all were done.
    const [rows] = await pa.query('SELECT COUNT(*) n, SUM(pending <> 0) p FROM checkin_work');
    expect(Number((rows as Array<{ n: number }>)[0]!.n)).toBe(accepted);
  } finally {
    await pa.end();
  }
}
