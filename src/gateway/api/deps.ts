import type { CheckInService } from '../../core/checkin-service.js';
import type { ReadModelPort } from '../../core/ports/read-model.port.js';
import type { VenueDirectoryPort } from '../../core/ports/venue-directory.port.js';
import type { UserRepository } from '../../store/mysql/user-repository.js';
import type { VenueRepository } from '../../store/mysql/venue-repository.js';
import type { VenueCache } from '../../store/venue-cache.js';
import type { Metrics } from '../../observability/metrics.js';

/** What the JSON API routes need; built once by the composition root. */
export interface ApiDeps {
  readonly defaultCountryCode: string;
  /** Idempotent replies kept in memory (limits.replyCacheEntries). */
  readonly replyCacheEntries: number;
  readonly checkIns: CheckInService;
  readonly readModel: ReadModelPort;
  readonly venues: VenueDirectoryPort & Pick<VenueCache, 'put'>;
  readonly venueRepo: VenueRepository;
  readonly users: UserRepository;
  readonly metrics: Metrics;
  /** MySQL and Redis reachability, for /readyz. */
  readonly probes: { mysql(): Promise<boolean>; redis(): Promise<boolean> };
  /** Extra figures for /metrics refreshed at scrape time. */
  readonly beforeScrape: () => void;
  readonly isDraining: () => boolean;
}
