import { describe, expect, it } from 'vitest';
import { parseReplicationInfo, ReplicaMonitor } from '../../../../src/store/redis/replica-status.js';

const replica = (fields: Record<string, string | number>) =>
  ['# Replication', 'role:slave', 'master_host:127.0.0.1', 'master_port:6391', ...Object.entries(fields).map(([k, v]) => `${k}:${v}`), 'slave_read_only:1'].join('\r\n');

describe('replica status from INFO replication', () => {
  it('a master is always fresh', () => {
    expect(parseReplicationInfo('# Replication\r\nrole:master\r\nconnected_slaves:1\r\n', 5, 1)).toEqual(
      expect.objectContaining({ role: 'master', linkUp: true, lagSeconds: 0, stale: false, checkedAt: 1 }),
    );
  });

  it('a replica with its link up and recent news from its master is fresh', () => {
    const s = parseReplicationInfo(replica({ master_link_status: 'up', master_last_io_seconds_ago: 1, master_sync_in_progress: 0 }), 5, 2);
    expect(s).toEqual(expect.objectContaining({ role: 'replica', linkUp: true, lagSeconds: 1, syncing: false, stale: false }));
  });

  it('is stale past maxLagSec without news, while the link is down, and during a full sync', () => {
    expect(parseReplicationInfo(replica({ master_link_status: 'up', master_last_io_seconds_ago: 6, master_sync_in_progress: 0 }), 5, 0)).toEqual(
      expect.objectContaining({ linkUp: true, lagSeconds: 6, stale: true }),
    );
    expect(parseReplicationInfo(replica({ master_link_status: 'down', master_last_io_seconds_ago: -1, master_sync_in_progress: 0, master_link_down_since_seconds: 42 }), 5, 0)).toEqual(
      expect.objectContaining({ linkUp: false, lagSeconds: 42, stale: true }),
    );
    expect(parseReplicationInfo(replica({ master_link_status: 'down', master_sync_in_progress: 1, master_link_down_since_seconds: -1 }), 5, 0)).toEqual(
      expect.objectContaining({ linkUp: false, lagSeconds: null, syncing: true, stale: true }),
    );
  });

  it('is stale and unknown when the read model cannot be asked, fresh again when it answers', async () => {
    let answer: () => Promise<string> = () => Promise.reject(new Error('Connection is closed.'));
    const m = new ReplicaMonitor({ info: (() => answer()) as never }, { intervalMs: 60_000, maxLagSec: 5 });
    await m.start();
    m.stop();
    expect(m.status()).toEqual(expect.objectContaining({ role: 'unknown', stale: true, error: 'Connection is closed.' }));
    answer = () => Promise.resolve('role:master\r\n');
    await m.poll();
    expect(m.isStale()).toBe(false);
  });
});
