import { timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { ChannelAuth } from './config.js';

export type AuthDecision = 'ok' | 'disabled' | 'address' | 'secret';

/** What the route copies from the request for the check (before any await). */
export interface AuthFacts {
  readonly remoteAddress: string;
  /** Value of the configured secret header, or `''`. */
  readonly headerSecret: string;
  /** Value of the configured secret parameter, or `''`. */
  readonly paramSecret: string;
}

/**
 * Access rule of one USSD dialect or SMS route, compiled once from config: source address
 * allow-list (exact or CIDR, IPv4 and IPv6, IPv4-mapped IPv6 understood) and/or a shared
 * secret compared in constant time.
 */
export class ChannelGuard {
  private readonly allow: SourceAllowList | null;
  private readonly secret: Buffer | null;

  constructor(readonly rule: ChannelAuth) {
    this.secret = rule.secret !== undefined ? Buffer.from(rule.secret) : null;
    this.allow = rule.allowFrom.length === 0 ? null : new SourceAllowList(rule.allowFrom);
  }

  /**
   * Whether `check` reads the peer address. Reading it costs a `getpeername` system call
   * per request (uWS does not keep it), so routes copy it only for an allow-list.
   */
  get needsAddress(): boolean {
    return this.rule.enabled && this.allow !== null;
  }

  check(facts: AuthFacts): AuthDecision {
    if (!this.rule.enabled) return 'disabled';
    if (this.allow !== null && !this.allow.allows(facts.remoteAddress)) return 'address';
    if (this.secret !== null) {
      const given = facts.headerSecret !== '' ? facts.headerSecret : facts.paramSecret;
      const g = Buffer.from(given);
      if (g.length !== this.secret.length || !timingSafeEqual(g, this.secret)) return 'secret';
    }
    return 'ok';
  }
}

/** Throws on a bad entry: called at start-up, so a typo stops the boot with its name. */
function addEntry(list: BlockList, entry: string): void {
  const [addr, bits] = entry.split('/');
  const address = unmap(addr ?? '');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
  if (family === null) throw new Error(`allowFrom entry ${JSON.stringify(entry)} is not an IP address or CIDR`);
  if (bits === undefined) {
    list.addAddress(address, family);
    return;
  }
  const prefix = Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) {
    throw new Error(`allowFrom entry ${JSON.stringify(entry)} has a bad prefix length`);
  }
  list.addSubnet(address, prefix, family);
}

/**
 * Source addresses allowed to call (exact IPv4/IPv6 or CIDR; IPv4-mapped IPv6 matches IPv4
 * entries). Built at start-up: a bad entry throws with its text.
 */
export class SourceAllowList {
  private readonly list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) addEntry(this.list, entry);
  }

  allows(remote: string): boolean {
    const address = unmap(remote);
    if (isIPv4(address)) return this.list.check(address, 'ipv4');
    if (isIPv6(address)) return this.list.check(address, 'ipv6');
    return false;
  }
}

/** `::ffff:127.0.0.1` (and uWS's zero-padded spelling of it) → `127.0.0.1`. */
export function unmap(address: string): string {
  const m = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}
