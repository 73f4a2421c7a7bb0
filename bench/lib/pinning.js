// Pins the load generator (this process) and the servers under test to different CPUs,
// where the box has at least two: the generator on the last CPU, the servers on the rest.
// MariaDB and Redis are shared services of the box, not ours to pin: they float.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { serverPinning } from './processes.js';

/** Returns what was done, for the report. */
export function pinApart(enabled) {
  const n = cpus().length;
  if (!enabled) return { pinned: false, why: 'pinning off (--pin off)' };
  if (n < 2) return { pinned: false, why: `one CPU: nothing to pin apart` };
  try {
    execFileSync('taskset', ['-a', '-pc', String(n - 1), String(process.pid)], { stdio: 'ignore' });
  } catch {
    return { pinned: false, why: 'taskset not available' };
  }
  serverPinning.cpus = n === 2 ? '0' : `0-${n - 2}`;
  return { pinned: true, loadGeneratorCpus: String(n - 1), serverCpus: serverPinning.cpus, why: 'MariaDB and Redis float over all CPUs' };
}
