import type { Redis } from 'ioredis';
import { decodePoints, readModelKeys, type BoardName } from '../../core/leaderboard.js';
import type { BoardEntry, ReadModelPort, SkipperInfo, Standing } from '../../core/ports/read-model.port.js';
import type { LocalCalendar } from '../../core/time.js';
import type { RedisGuard } from './redis-guard.js';
import { defineScript } from './scripts.js';

interface StandingsRedis extends Redis {
  standings(key: string, ...msisdns: string[]): Promise<Array<string | number | null>>;
}

interface Waiter {
  readonly msisdns: readonly string[];
  readonly resolve: (m: ReadonlyMap<string, Standing>) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * The points read model in Redis. Standings asked for in the same tick (a committed batch
 * answers hundreds of check-ins at once) are coalesced into one EVALSHA.
 */
export class RedisReadModel implements ReadModelPort {
  private waiting: Waiter[] = [];
  private scheduled = false;
  private readonly redis: StandingsRedis;

  constructor(
    redis: Redis,
    private readonly calendar: LocalCalendar,
    /** Bounds each call a request waits for (see RedisGuard); none: the client's command timeout. */
    private readonly guard: RedisGuard | null = null,
    /** The replica's freshness (replica-status.ts); absent = a master, always fresh. */
    private readonly freshness: { isStale(): boolean } | null = null,
  ) {
    defineScript(redis, 'standings', 'standings-1.lua');
    this.redis = redis as StandingsRedis;
  }

  standings(msisdns: readonly string[]): Promise<ReadonlyMap<string, Standing>> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ msisdns, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(flushStandings, this);
      }
    });
  }

  /** @internal runs the coalesced lookups */
  async flush(): Promise<void> {
    const waiters = this.waiting;
    this.waiting = [];
    this.scheduled = false;
    const unique = [...new Set(waiters.flatMap((w) => w.msisdns))];
    try {
      const result = new Map<string, Standing>();
      // Bounded argument lists keep one script call short on the Redis side.
      for (let i = 0; i < unique.length; i += 500) {
        const chunk = unique.slice(i, i + 500);
        const flat = await this.guarded(() => this.redis.standings(readModelKeys.board('global', ''), ...chunk));
        for (let j = 0; j < chunk.length; j++) {
          const score = flat[2 * j];
          const rank = flat[2 * j + 1];
          result.set(chunk[j]!, {
            total: score === null || score === undefined ? 0 : decodePoints(Number(score)),
            rank: rank === null || rank === undefined ? null : Number(rank) + 1,
          });
        }
      }
      for (const w of waiters) w.resolve(result);
    } catch (e) {
      for (const w of waiters) w.reject(e);
    }
  }

  async board(board: BoardName, opts: { limit: number; around?: string; atMs: number }): Promise<BoardEntry[]> {
    const key = readModelKeys.board(board, this.calendar.isoWeek(opts.atMs));
    let start = 0;
    if (opts.around !== undefined) {
      const rank = await this.guarded(() => this.redis.zrevrank(key, opts.around!));
      if (rank === null) return [];
      start = Math.max(0, rank - Math.floor(opts.limit / 2));
    }
    const flat = await this.guarded(() => this.redis.zrevrange(key, start, start + opts.limit - 1, 'WITHSCORES'));
    const entries: BoardEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      entries.push({ rank: start + i / 2 + 1, msisdn: flat[i]!, points: decodePoints(Number(flat[i + 1])) });
    }
    return entries;
  }

  private guarded<T>(call: () => Promise<T>): Promise<T> {
    return this.guard === null ? call() : this.guard.run(call);
  }

  isStale(): boolean {
    return this.freshness !== null && this.freshness.isStale();
  }

  async skipper(venueId: string): Promise<SkipperInfo | null> {
    const h = await this.guarded(() => this.redis.hgetall(readModelKeys.skipper(venueId)));
    if (!h.msisdn) return null;
    return { msisdn: h.msisdn, days: Number(h.days ?? 0), since: Number(h.since ?? 0) };
  }
}

function flushStandings(model: RedisReadModel): void {
  void model.flush();
}
