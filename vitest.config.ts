import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A bound against hangs, not a speed check (tests that are about time assert their own
    // durations). Tests that start several gateway processes and send hundreds of check-ins
    // took 15-22 s each, and the two-process idempotency test over 30 s, with the 2 cores
    // busy with other work: 30 s failed them by chance.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Integration suites start real gateway processes; two cores do not gain from more.
    maxWorkers: 2,
    setupFiles: ['./test/helpers/setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
