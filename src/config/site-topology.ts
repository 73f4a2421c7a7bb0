/**
 * Checks a site's view of its deployment: exactly one site holds `points` (ARCHITECTURE.md,
 * "Sites, capabilities and the read model"). A site sees only itself and its peers, so it
 * refuses what it can tell is wrong from there:
 * - a site holding `points` that names another site in `pointsSite`;
 * - a site without `points` whose `pointsSite` is missing (when it has peers) or names no
 *   peer: its figures would come from nowhere, or from a site that does not hold them;
 * - `ussd` or `sms` without `checkin`: both check subscribers in.
 * A lone site without `points` and without peers is allowed (a staged roll-out, or a test of
 * what such a site owes): it simply has no points figures.
 */

export interface TopologyInput {
  readonly siteId: string;
  readonly capabilities: readonly string[];
  readonly pointsSite?: string | undefined;
  readonly peers: ReadonlyArray<{ readonly siteId: string }>;
}

export interface TopologyProblem {
  readonly path: Array<string | number>;
  readonly message: string;
}

export function topologyProblems(c: TopologyInput): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  // (Peers naming this site, or listed twice, are refused by the schema itself.)
  const seen = new Set(c.peers.map((p) => p.siteId));
  const holdsPoints = c.capabilities.includes('points');
  if (holdsPoints && c.pointsSite !== undefined && c.pointsSite !== c.siteId) {
    problems.push({
      path: ['pointsSite'],
      message: `this site holds points, yet pointsSite names ${c.pointsSite}: exactly one site holds points (drop points here, or name ${c.siteId})`,
    });
  }
  if (!holdsPoints) {
    if (c.pointsSite === undefined && c.peers.length > 0) {
      problems.push({ path: ['pointsSite'], message: 'this site does not hold points: name the peer that does (exactly one site holds points)' });
    } else if (c.pointsSite !== undefined && !seen.has(c.pointsSite)) {
      problems.push({
        path: ['pointsSite'],
        message: c.pointsSite === c.siteId
          ? `names this site, which does not hold points (add points to capabilities, or name the peer that holds it)`
          : `${c.pointsSite} is not one of the peers (${[...seen].join(', ') || 'none'})`,
      });
    }
  }
  for (const channel of ['ussd', 'sms'] as const) {
    if (c.capabilities.includes(channel) && !c.capabilities.includes('checkin')) {
      problems.push({ path: ['capabilities'], message: `${channel} checks subscribers in: a site offering it needs checkin too` });
    }
  }
  return problems;
}
