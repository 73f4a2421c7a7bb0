import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { maskNumbersIn } from '../../../src/core/msisdn.js';
import { createLogger } from '../../../src/observability/logger.js';

function capture(level = 'info'): { log: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const log = createLogger(level, { site: 't' }, stream);
  return { log, lines: () => out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('log privacy', () => {
  it('masks numbers in free text, not check-in ids, venue ids or short codes', () => {
    expect(maskNumbersIn("Duplicate entry '+254712345678-4321' for key")).toBe("Duplicate entry '+2547*****678-4321' for key");
    expect(maskNumbersIn('from=0712345678&to=384')).toBe('from=0712***678&to=384');
    expect(maskNumbersIn('check-in 7395012345678901234 at 4321')).toBe('check-in 7395012345678901234 at 4321');
  });

  it('masks number fields, drops texts and secrets, scrubs strings and errors', () => {
    const { log, lines } = capture();
    log.info({ msisdn: '+254712345678', text: 'You have 30 points', apiKey: 'hg_live_x', nested: { msisdn: '+254700000001' } }, 'sent to +254733333333');
    log.warn({ err: new Error("Duplicate entry '+254744444444' for key 'PRIMARY'"), reason: 'user 254755555555 refused', reqId: 'lb-12345678901' }, 'batch');
    const [a, b] = lines();
    expect(a).toMatchObject({ msisdn: '+2547*****678', text: '[18 chars]', apiKey: '[redacted]', nested: { msisdn: '+2547*****001' }, msg: 'sent to +2547*****333' });
    expect(JSON.stringify(b)).not.toMatch(/254744444444|254755555555/);
    expect(b).toMatchObject({ reason: 'user 25475****555 refused', reqId: 'lb-12345678901' });
    expect((b!.err as { message: string }).message).toBe("Duplicate entry '+2547*****444' for key 'PRIMARY'");
  });
});
