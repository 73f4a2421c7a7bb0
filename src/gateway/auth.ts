import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/schema.js';

export interface ApiClient {
  readonly id: string;
  readonly role: 'client' | 'admin';
}

/**
 * API keys are configured as SHA-256 hashes; a presented key is hashed and looked up.
 * A hash lookup leaks nothing useful through timing (the attacker does not control the
 * hash), and the final comparison is constant-time anyway.
 */
export class ApiKeyAuth {
  private readonly byHash = new Map<string, { client: ApiClient; digest: Buffer }>();
  /** Keys seen recently and their client, so the hot path hashes a key once, not per request. */
  private readonly recent = new Map<string, ApiClient>();
  private static readonly RECENT_MAX = 1024;

  constructor(keys: Config['auth']['apiKeys']) {
    for (const k of keys) {
      this.byHash.set(k.sha256, { client: { id: k.id, role: k.role }, digest: Buffer.from(k.sha256, 'hex') });
    }
  }

  authenticate(presented: string): ApiClient | null {
    const known = this.recent.get(presented);
    if (known) return known;
    if (presented.length === 0 || presented.length > 256) return null;
    const digest = createHash('sha256').update(presented).digest();
    const entry = this.byHash.get(digest.toString('hex'));
    if (!entry || !timingSafeEqual(entry.digest, digest)) return null;
    // Only valid keys are remembered: unknown keys cannot grow this map.
    if (this.recent.size >= ApiKeyAuth.RECENT_MAX) this.recent.clear();
    this.recent.set(presented, entry.client);
    return entry.client;
  }
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
