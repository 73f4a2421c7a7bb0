/**
 * The sync thread (one `worker_threads` Worker per process, loaded from dist/sync/thread.js).
 * It owns replication: its own MySQL pool, one sender per peer (while this process holds the
 * site's sender lock), log pruning, and the apply side of batches peers send here, which the
 * main thread's route hands over as raw bytes. The main thread only relays messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../observability/logger.js';
import { createMysqlPool } from '../store/mysql/pool.js';
import { MysqlReplicationLog } from '../store/mysql/replication-log.js';
import { MysqlSyncInbox } from '../store/mysql/sync-inbox.js';
import { PeerSender } from './peer-sender.js';
import { BatchReceiver } from './receiver.js';
import { SenderLock } from './sender-lock.js';
import type { FromSyncThread, SyncThreadData, ToSyncThread } from './thread-protocol.js';
import { PeerTransport } from './transport.js';

const LOCK_CHECK_MS = 2000;
const PRUNE_MS = 10_000;

const data = workerData as SyncThreadData;
const port = parentPort!;
const logger = createLogger(data.logLevel, { site: data.siteId, thread: 'sync' });
const pool = createMysqlPool(data.mysql, { connectionLimit: 4 });
const log = new MysqlReplicationLog(pool, data.siteId, data.mysql.queryTimeoutMs);
const inbox = new MysqlSyncInbox(pool, data.replicatedOwedMask, data.mysql.queryTimeoutMs);
const receiver = new BatchReceiver(data.siteId, new Map(data.peers.map((p) => [p.siteId, p.secret])), inbox, data.sync.timestampWindowSec);
const transports = data.peers.map((p) => new PeerTransport(p.url, data.siteId, p.secret, data.sync.requestTimeoutMs));
const senders = data.peers.map((p, i) => new PeerSender(p.siteId, data.siteId, transports[i]!, log, data.sync, logger));
const lock = new SenderLock(data.mysql, `hopgate-sync-${data.mysql.database}`);
let leader = false;
let draining = false;

async function checkLeadership(): Promise<void> {
  if (draining) return;
  const holds = await lock.hold();
  if (holds && !leader) {
    leader = true;
    logger.info({ peers: senders.map((s) => s.peer) }, 'sync: this process sends for the site');
    for (const s of senders) s.start();
  } else if (!holds && leader) {
    leader = false;
    logger.warn('sync: lost the sender lock; another process of this site sends now');
    await Promise.all(senders.map((s) => s.stop()));
    for (const s of senders) s.standby();
  } else if (!holds) {
    for (const s of senders) s.standby();
  }
}

async function prune(): Promise<void> {
  if (!leader || draining || senders.length === 0) return;
  const upTo = Math.min(...senders.map((s) => s.durableCursor));
  try {
    if (upTo > 0) await log.prune(upTo, 10_000);
    await inbox.prune(Date.now() - data.sync.inboxRetentionMs, 10_000);
  } catch (e) {
    logger.warn({ err: (e as Error).message }, 'sync: pruning failed; retrying later');
  }
}

const lockTimer = setInterval(() => void checkLeadership(), LOCK_CHECK_MS);
const pruneTimer = setInterval(() => void prune(), PRUNE_MS);
void checkLeadership();

function send(msg: FromSyncThread): void {
  port.postMessage(msg);
}

port.on('message', (msg: ToSyncThread) => {
  switch (msg.type) {
    case 'nudge':
      if (leader) for (const s of senders) s.nudge();
      return;
    case 'status': {
      const now = Date.now();
      send({ type: 'status', id: msg.id, status: { site: data.siteId, leader, peers: senders.map((s) => s.status(now)) } });
      return;
    }
    case 'receive':
      void receiver.receive(msg, Date.now()).then(
        (reply) => send({ type: 'received', id: msg.id, reply }),
        (e: unknown) => send({ type: 'received', id: msg.id, reply: { ok: false, code: 'STORE_UNAVAILABLE', message: (e as Error).message } }),
      );
      return;
    case 'drain':
      void drain();
      return;
  }
});

async function drain(): Promise<void> {
  draining = true;
  clearInterval(lockTimer);
  clearInterval(pruneTimer);
  // The batch in flight finishes (or times out and is sent again by the next leader); each
  // sender saves its cursor.
  await Promise.all(senders.map((s) => s.stop()));
  await lock.release();
  await Promise.all(transports.map((t) => t.close().catch(() => {})));
  await pool.end().catch(() => {});
  send({ type: 'drained' });
}
