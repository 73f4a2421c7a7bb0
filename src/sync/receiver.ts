import type { SyncInboxPort } from '../core/ports/sync-inbox.port.js';
import { isUnavailableError } from '../store/mysql/pool.js';
import { parseBatch, type SyncBatchReply } from './protocol.js';
import { verify } from './signing.js';
import type { ReceiveReply } from './thread-protocol.js';

export interface ReceivedBatch {
  readonly origin: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly body: Uint8Array;
}

/**
 * The receiving side's checks, in order: a known peer, a valid signature, a timestamp inside
 * the window, a well-formed batch addressed to this site; then the inbox applies it. Nothing
 * is applied unless every check passed. Records that break their contract are refused one by
 * one (with a reason the origin parks) while the good ones apply.
 */
export class BatchReceiver {
  constructor(
    private readonly siteId: string,
    private readonly secrets: ReadonlyMap<string, string>,
    private readonly inbox: SyncInboxPort,
    private readonly windowSec: number,
  ) {}

  async receive(b: ReceivedBatch, nowMs: number): Promise<ReceiveReply> {
    if (b.origin === '' && b.signature === '') return refuse('SYNC_UNSIGNED', 'the batch carries no origin and no signature');
    const secret = this.secrets.get(b.origin);
    if (secret === undefined) return refuse('SYNC_UNKNOWN_PEER', `${b.origin.slice(0, 16) || '(no origin)'} is not a peer of this site`);
    const body = Buffer.from(b.body.buffer, b.body.byteOffset, b.body.byteLength);
    const verdict = verify(secret, b.timestamp || undefined, b.signature || undefined, body, nowMs, this.windowSec);
    if (verdict === 'unsigned') return refuse('SYNC_UNSIGNED', 'the batch must carry a timestamp and a signature');
    if (verdict === 'bad-signature') return refuse('SYNC_BAD_SIGNATURE', 'the signature does not match the body');
    if (verdict === 'stale') return refuse('SYNC_STALE', `the timestamp is outside the ${this.windowSec} s window`);
    const parsed = parseBatch(body.toString('utf8'));
    if (!parsed.ok) return refuse('SYNC_MALFORMED_BATCH', parsed.reason);
    const batch = parsed.batch;
    if (batch.origin !== b.origin) return refuse('SYNC_MALFORMED_BATCH', 'the body names another origin than its signature');
    if (batch.to !== this.siteId) return refuse('SYNC_MALFORMED_BATCH', `the batch is addressed to ${batch.to}, not to ${this.siteId}`);
    let result;
    try {
      result = await this.inbox.apply(batch.origin, batch.entries, nowMs);
    } catch (e) {
      return refuse('STORE_UNAVAILABLE', isUnavailableError(e) ? 'the database is unavailable' : `the batch could not be applied (${(e as { code?: string }).code ?? 'ERROR'})`);
    }
    const at = new Map<string, number>();
    for (const e of batch.entries) for (const r of e.records) if (r.type === 'checkin') at.set(r.id, r.at);
    const reply: SyncBatchReply = { applied: result.applied, duplicates: result.duplicates, rejected: [...batch.rejected, ...result.rejected] };
    return {
      ok: true,
      body: JSON.stringify(reply),
      checkIns: result.checkIns,
      venues: result.venues,
      lagsMs: result.checkIns.map((c) => Math.max(0, nowMs - (at.get(c.id) ?? nowMs))),
      applied: result.applied,
      duplicates: result.duplicates,
      rejected: reply.rejected.length,
    };
  }
}

function refuse(code: Exclude<ReceiveReply, { ok: true }>['code'], message: string): ReceiveReply {
  return { ok: false, code, message };
}
