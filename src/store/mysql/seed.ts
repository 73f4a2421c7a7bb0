import cliProgress from 'cli-progress';
import type { Config } from '../../config/schema.js';
import { createMysqlPool } from './pool.js';
import { UserRepository } from './user-repository.js';
import { VenueRepository } from './venue-repository.js';

const CITIES = ['Nairobi', 'Mombasa', 'Kisumu', 'Nakuru', 'Eldoret', 'Thika', 'Malindi', 'Kitale'];
const KINDS = ['Cafe', 'Market', 'Barbershop', 'Kiosk', 'Restaurant', 'Pharmacy', 'Supermarket', 'Salon'];
const CHUNK = 2000;

/** Seed venue ids are all digits, so they double as USSD keypad codes. */
export function seedVenueId(i: number): string {
  return String(100_000 + i);
}

/** Seed subscribers: +2547 followed by 8 digits. */
export function seedMsisdn(i: number): string {
  return `+2547${String(10_000_000 + i).slice(-8)}`;
}

export async function seed(config: Config, opts: { venues: number; users: number; progress: boolean }): Promise<void> {
  const pool = createMysqlPool(config.mysql, { connectionLimit: 2 });
  const venues = new VenueRepository(pool, config.mysql.queryTimeoutMs, { siteId: config.siteId, replicate: false });
  const users = new UserRepository(pool, config.mysql.queryTimeoutMs);
  const bars = opts.progress
    ? new cliProgress.MultiBar({ format: ' {name} [{bar}] {value}/{total} {percentage}% {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  try {
    const now = Date.now();
    const vb = bars?.create(opts.venues, 0, { name: 'venues' });
    for (let i = 0; i < opts.venues; i += CHUNK) {
      const n = Math.min(CHUNK, opts.venues - i);
      await venues.insertMany(
        Array.from({ length: n }, (_, j) => {
          const k = i + j;
          return {
            id: seedVenueId(k),
            code: null,
            name: `${KINDS[k % KINDS.length]} ${CITIES[k % CITIES.length]} ${k}`,
            city: CITIES[k % CITIES.length]!,
            open: true,
          };
        }),
        now,
      );
      vb?.increment(n);
    }
    const ub = bars?.create(opts.users, 0, { name: 'users ' });
    for (let i = 0; i < opts.users; i += CHUNK) {
      const n = Math.min(CHUNK, opts.users - i);
      await users.insertMany(
        Array.from({ length: n }, (_, j) => ({ msisdn: seedMsisdn(i + j), city: CITIES[(i + j) % CITIES.length]! })),
        config.siteId,
        now,
      );
      ub?.increment(n);
    }
  } finally {
    bars?.stop();
    await pool.end();
  }
}
