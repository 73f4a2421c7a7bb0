import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectConvergedAfterPartition } from '../../helpers/partition-checks.js';
import { PartitionRig, runPartition } from '../../helpers/partition-rig.js';

/**
 * Three sites take check-ins at a steady rate while one is cut off from both others (its
 * outgoing links black-holed, its incoming links refused), here for 5 s; after the link
 * heals every site holds the same check-ins exactly once and the points site's totals equal
 * its ledger. The ≥ 20 s partition of the issue runs in `npm run test:long`
 * (test/long/partition-20s.long.ts), which .ci/run runs too.
 */
describe('convergence after a partition', () => {
  const rig = new PartitionRig();

  beforeAll(async () => {
    await rig.start();
    expect(await rig.venues()).toBe(true);
  });
  afterAll(async () => {
    await rig.stop();
  });

  test('a site cut off for 5 s: every site keeps accepting, then all hold the same set once; totals = ledger', async () => {
    const t0 = Date.now();
    const run = await runPartition(rig, { cutSite: 'pc', partitionMs: 5000, beforeMs: 1000, afterMs: 1000, intervalMs: 30, users: 40 });
    console.log(`partition 5 s: ${run.expected.count} check-ins in ${Date.now() - t0} ms, converged ${run.convergedAfterHealMs} ms after heal, ${run.convergedAfterLoadMs} ms after the load`);
    await expectConvergedAfterPartition(rig, run);
    console.log(`checked after ${Date.now() - t0} ms`);
  });
});
