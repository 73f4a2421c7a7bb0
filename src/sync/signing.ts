import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Batches between sites are signed with HMAC-SHA256 over `<timestamp>.<raw body>`, keyed with
 * the secret the two sites share (`peers[].secret`). The timestamp (epoch ms) is signed too,
 * so a captured batch cannot be replayed once it falls outside the window.
 */
export function sign(secret: string, timestampMs: number, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampMs}.`).update(body).digest('hex')}`;
}

export type Verdict = 'ok' | 'unsigned' | 'bad-signature' | 'stale';

export function verify(secret: string, timestamp: string | undefined, signature: string | undefined, body: Buffer, nowMs: number, windowSec: number): Verdict {
  if (!timestamp || !signature) return 'unsigned';
  if (!/^[0-9]{1,16}$/.test(timestamp)) return 'bad-signature';
  const expected = Buffer.from(sign(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  // The signature decides before the clock: a tampered batch is "bad", whatever its age.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature';
  if (Math.abs(nowMs - Number(timestamp)) > windowSec * 1000) return 'stale';
  return 'ok';
}
