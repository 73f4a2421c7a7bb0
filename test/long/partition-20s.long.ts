import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectConvergedAfterPartition } from '../helpers/partition-checks.js';
import { PartitionRig, runPartition } from '../helpers/partition-rig.js';

/**
 * The partition: three sites take check-ins at a steady rate; one is cut off from
 * both others for 20 s while every site keeps accepting with no error; after the link heals
 * every site holds the identical set exactly once and the points site's totals equal its
 * ledger. (The 5 s variant runs in the default suite: test/integration/sync/partition.test.ts.)
 */
describe('convergence after a 20 s partition', () => {
  const rig = new PartitionRig();

  beforeAll(async () => {
    await rig.start();
    expect(await rig.venues()).toBe(true);
  });
  afterAll(async () => {
    await rig.stop();
  });

  test('a site cut off for 20 s: every site keeps accepting, then all hold the same set once; totals = ledger', async () => {
    const run = await runPartition(rig, { cutSite: 'pc', partitionMs: 20_000, beforeMs: 2000, afterMs: 2000, intervalMs: 60, users: 60 });
    console.log(`partition 20 s: ${run.expected.count} check-ins, converged ${run.convergedAfterHealMs} ms after heal, ${run.convergedAfterLoadMs} ms after the load`);
    await expectConvergedAfterPartition(rig, run);
  });
});
