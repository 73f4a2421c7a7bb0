/**
 * Check-in ids: 63-bit, time-sortable, globally unique across sites (Snowflake layout).
 *
 *   | 41 bits: ms since EPOCH | 10 bits: site number | 12 bits: sequence |
 *
 * 41 bits of milliseconds last ~69 years from 2024; at least 2048 ids per ms per process.
 * Ids travel as decimal strings in JSON (they exceed 2^53) and as BIGINT in MySQL.
 *
 * Several processes of one site (nodes, or old and new during a rolling restart) share the
 * site number. Each millisecond's sequence therefore starts at a random point in the lower
 * half, so two processes rarely hand out the same id; the writer retries the rare collision
 * with fresh ids (the primary key refuses it).
 */
export const ID_EPOCH_MS = Date.UTC(2024, 0, 1);
const SITE_BITS = 10n;
const SEQ_BITS = 12n;
const MAX_SEQ = (1 << Number(SEQ_BITS)) - 1;
/** A millisecond's sequence starts below this: at least MAX_SEQ + 1 - SEQ_START_SPAN ids fit in it. */
const SEQ_START_SPAN = (MAX_SEQ + 1) / 2;
export const MAX_SITE_NUMBER = (1 << Number(SITE_BITS)) - 1;

export class IdGenerator {
  private lastMs = 0;
  private seq = 0;
  private readonly siteBits: bigint;

  constructor(
    siteNumber: number,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    if (!Number.isInteger(siteNumber) || siteNumber < 0 || siteNumber > MAX_SITE_NUMBER) {
      throw new RangeError(`siteNumber must be an integer in 0..${MAX_SITE_NUMBER}`);
    }
    this.siteBits = BigInt(siteNumber) << SEQ_BITS;
  }

  /** Returns the next id; never goes backwards, even if the wall clock does. */
  next(): bigint {
    let ms = this.now() - ID_EPOCH_MS;
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      if (this.seq === MAX_SEQ) {
        // Sequence exhausted within this millisecond: borrow the next one.
        ms = this.lastMs + 1;
        this.seq = this.firstSeq();
      } else {
        this.seq++;
      }
    } else {
      this.seq = this.firstSeq();
    }
    this.lastMs = ms;
    return (BigInt(ms) << (SITE_BITS + SEQ_BITS)) | this.siteBits | BigInt(this.seq);
  }

  private firstSeq(): number {
    return Math.floor(this.random() * SEQ_START_SPAN);
  }
}

export interface DecodedId {
  readonly atMs: number;
  readonly siteNumber: number;
  readonly seq: number;
}

export function decodeId(id: bigint | string): DecodedId {
  const n = typeof id === 'bigint' ? id : BigInt(id);
  return {
    atMs: Number(n >> (SITE_BITS + SEQ_BITS)) + ID_EPOCH_MS,
    siteNumber: Number((n >> SEQ_BITS) & BigInt(MAX_SITE_NUMBER)),
    seq: Number(n & BigInt(MAX_SEQ)),
  };
}
