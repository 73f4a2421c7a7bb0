import type { Config } from '../config/schema.js';

/** One Redis server of the demo's read-model chain. */
export interface ChainServer {
  readonly port: number;
  /** The server it replicates (null for the master at the points site). */
  readonly replicaOf: number | null;
  /** The site that reads it. */
  readonly siteId: string;
}

export interface DemoPlan {
  readonly sites: readonly Config[];
  /** Master first, then each replica after the server it replicates. */
  readonly chain: readonly ChainServer[];
}

/**
 * What `hopgate demo` starts, from the site configs in order: the first site holds points
 * and its `redis.readModel` is the master; each next site's read model is a replica of the
 * previous site's (a chain: the far site reads a replica of a replica). Refuses configs that
 * cannot work together on one machine.
 */
export function demoPlan(sites: readonly Config[]): DemoPlan {
  const problems: string[] = [];
  const holders = sites.filter((s) => s.capabilities.includes('points')).map((s) => s.siteId);
  if (holders.length !== 1 || holders[0] !== sites[0]?.siteId) {
    problems.push(`the first site must be the one site holding points (points held by: ${holders.join(', ') || 'none'})`);
  }
  const distinct = (what: string, values: Array<string | number>) => {
    if (new Set(values).size !== values.length) problems.push(`${what} must differ between sites (${values.join(', ')})`);
  };
  distinct('siteId', sites.map((s) => s.siteId));
  distinct('http.port', sites.map((s) => s.http.port));
  distinct('mysql.database', sites.map((s) => s.mysql.database));
  distinct('redis.readModel.port', sites.map((s) => s.redis.readModel.port));
  for (const s of sites) {
    if (s.http.port === 0) problems.push(`${s.siteId}: http.port must be fixed (peers name it)`);
    if (s.redis.readModel.port === s.redis.local.port) problems.push(`${s.siteId}: redis.readModel must be a server of its own (the demo starts it), not redis.local's`);
    for (const p of s.peers) {
      const peer = sites.find((o) => o.siteId === p.siteId);
      if (!peer) problems.push(`${s.siteId}: peer ${p.siteId} is not one of the demo's sites`);
      else if (new URL(p.url).port !== String(peer.http.port)) problems.push(`${s.siteId}: peer ${p.siteId} url ${p.url} is not its http.port ${peer.http.port}`);
    }
  }
  if (problems.length > 0) throw new Error(`these site configs cannot run as a demo:\n  ${problems.join('\n  ')}`);
  const chain = sites.map((s, i) => ({
    port: s.redis.readModel.port,
    replicaOf: i === 0 ? null : sites[i - 1]!.redis.readModel.port,
    siteId: s.siteId,
  }));
  return { sites, chain };
}
