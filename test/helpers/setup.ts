import { afterAll } from 'vitest';
import { reapGateways } from './running-gateways.js';

// Runs after each test file's own hooks: whatever gateway a timed-out or failed test left
// running is stopped and its database and Redis keys dropped, so no process outlives the run.
afterAll(async () => {
  const reaped = await reapGateways();
  if (reaped > 0) process.stderr.write(`reaped ${reaped} gateway process(es) a test left running\n`);
});
