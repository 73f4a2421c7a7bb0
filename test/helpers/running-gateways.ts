import type { ChildProcess } from 'node:child_process';

interface Stoppable {
  readonly proc: ChildProcess;
  stop(opts: { signal: NodeJS.Signals }): Promise<unknown>;
}

/**
 * Gateway processes started (gateway-process.ts) and not yet stopped. A test that times out,
 * or fails before its `finally`, never stops its gateways: they kept running, with their
 * databases, after the run. `reapGateways` runs after every test file (setup.ts); the exit
 * hook kills what is left if the worker exits first. No heavy imports: every file loads it.
 */
export const running = new Set<Stoppable>();

process.on('exit', () => {
  for (const gw of running) gw.proc.kill('SIGKILL');
});

/** Stops (SIGKILL) every gateway a test left running; `stop` drops its database and Redis keys. */
export async function reapGateways(): Promise<number> {
  const left = [...running];
  await Promise.all(left.map((gw) => gw.stop({ signal: 'SIGKILL' })));
  return left.length;
}
