import { RateLimiter } from './rate-limit.js';

/** `limits.subscriber*` / `limits.source*` (config/schema.ts). A rate of 0 turns that limit off. */
export interface ChannelThrottleConfig {
  readonly subscriberRatePerSec: number;
  readonly subscriberBurst: number;
  readonly sourceRatePerSec: number;
  readonly sourceBurst: number;
  /** Keys remembered per limiter. */
  readonly throttleKeys: number;
}

/**
 * Throttles of a channel whose callers carry no API key (USSD dialects, SMS): one token
 * bucket per source address (a gateway that loops or floods) and one per subscriber (a
 * phone hammering the menu), so neither slows anybody else. The caller answers a throttled
 * request in the vendor's own format.
 */
export class ChannelThrottle {
  private readonly sources: RateLimiter | null;
  private readonly subscribers: RateLimiter | null;

  constructor(cfg: ChannelThrottleConfig, now: () => number = Date.now) {
    this.sources = cfg.sourceRatePerSec > 0 ? new RateLimiter(cfg.sourceRatePerSec, cfg.sourceBurst, now, cfg.throttleKeys) : null;
    this.subscribers = cfg.subscriberRatePerSec > 0 ? new RateLimiter(cfg.subscriberRatePerSec, cfg.subscriberBurst, now, cfg.throttleKeys) : null;
  }

  /** Whether routes must copy the caller's address for `source`. */
  get needsAddress(): boolean {
    return this.sources !== null;
  }

  /** False when this source address has used up its rate. */
  source(address: string): boolean {
    return this.sources === null || this.sources.take(address) === 0;
  }

  /** False when this subscriber (the number as the vendor sent it) has used up its rate. */
  subscriber(msisdn: string): boolean {
    return this.subscribers === null || this.subscribers.take(msisdn.length <= 32 ? msisdn : msisdn.slice(0, 32)) === 0;
  }
}
