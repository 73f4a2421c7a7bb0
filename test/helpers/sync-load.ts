import type { TestGateway } from './gateway-process.js';

export interface LoadResult {
  /** Ids of the check-ins the site accepted (201). */
  readonly ids: string[];
  /** Every other outcome, described (a status and code, or a network error). */
  readonly errors: string[];
}

/**
 * Posts `count` check-ins to one site at a steady rate (one every `intervalMs`, one at a
 * time), over a small set of subscribers and venues so sites see the same (user, venue, day).
 * Bounded in count and, with `untilMs`, in time; a request is bounded by the gateway's own deadline.
 */
export async function steadyCheckIns(gw: TestGateway, opts: { count: number; intervalMs: number; users: number; venues: readonly string[]; tag: number; untilMs?: number }): Promise<LoadResult> {
  const ids: string[] = [];
  const errors: string[] = [];
  const start = Date.now();
  for (let i = 0; i < opts.count && Date.now() < (opts.untilMs ?? Infinity); i++) {
    const wait = start + i * opts.intervalMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const msisdn = `+2547${String(opts.tag).padStart(2, '0')}${String(i % opts.users).padStart(6, '0')}`;
    try {
      const r = await gw.request('POST', '/v1/checkins', { msisdn, venueId: opts.venues[i % opts.venues.length], channel: 'app' });
      if (r.status === 201) ids.push(String((r.json as { checkin: { id: string } }).checkin.id));
      else errors.push(`${r.status} ${r.text.slice(0, 120)}`);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return { ids, errors };
}

/** The digest `checkinDigest` computes in SQL, for a set of ids known to the test. */
export function idsDigest(ids: readonly string[]): { count: number; xor: string; sum: string } {
  let xor = 0n;
  let sum = 0n;
  for (const id of new Set(ids)) {
    xor ^= BigInt(id);
    sum += BigInt(id) % 1000003n;
  }
  return { count: new Set(ids).size, xor: xor.toString(), sum: sum.toString() };
}
