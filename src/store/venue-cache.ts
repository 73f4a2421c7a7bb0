import type { Venue } from '../core/checkin.js';
import type { VenueDirectoryPort } from '../core/ports/venue-directory.port.js';
import type { VenueRepository } from './mysql/venue-repository.js';

/**
 * The check-in path looks venues up in memory: one Map lookup instead of a query per
 * request. The snapshot is loaded at start-up and refreshed with the rows changed since
 * the last refresh (a 1 s overlap covers writes committed out of time order).
 */
export class VenueCache implements VenueDirectoryPort {
  private readonly byId = new Map<string, Venue>();
  private readonly byKeypadCode = new Map<string, Venue>();
  private watermarkMs = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly repo: VenueRepository) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Venue | undefined {
    return this.byId.get(id);
  }

  byCode(code: string): Venue | undefined {
    return this.byKeypadCode.get(code);
  }

  /** Applies a venue change made through this process at once (PUT /v1/venues/{id}). */
  put(venue: Venue): void {
    const previous = this.byId.get(venue.id);
    if (previous && previous.version > venue.version) return;
    if (previous?.code) this.byKeypadCode.delete(previous.code);
    if (previous && /^[0-9]+$/.test(previous.id)) this.byKeypadCode.delete(previous.id);
    this.byId.set(venue.id, venue);
    if (/^[0-9]+$/.test(venue.id)) this.byKeypadCode.set(venue.id, venue);
    if (venue.code) this.byKeypadCode.set(venue.code, venue);
  }

  async refresh(): Promise<number> {
    const since = Math.max(0, this.watermarkMs - 1000);
    const { venues, maxUpdatedMs } = await this.repo.changedSince(this.watermarkMs === 0 ? 0 : since);
    for (const v of venues) this.put(v);
    this.watermarkMs = Math.max(this.watermarkMs, maxUpdatedMs);
    return venues.length;
  }

  /** Refreshes every `intervalMs`; failures keep the last snapshot (reported through `onError`). */
  start(intervalMs: number, onError: (e: unknown) => void): void {
    this.timer = setInterval(() => {
      this.refresh().catch(onError);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
