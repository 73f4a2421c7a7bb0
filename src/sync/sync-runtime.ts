import { Worker } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import type { CommitSubscriber, CommittedCheckIn } from '../core/ports/commit-feed.port.js';
import type { Logger } from '../observability/logger.js';
import type { FromSyncThread, ReceiveReply, SyncStatus, SyncThreadData, ToSyncThread } from './thread-protocol.js';

const STATUS_REFRESH_MS = 1000;
const NUDGE_EVERY_MS = 5;

/**
 * The main thread's handle on the sync thread: starts it, wakes its senders when the writer
 * commits (at most one message per few ms, whatever the commit rate), relays received batches
 * and keeps the latest status for `/metrics` and `GET /admin/sync`. A thread that dies is
 * restarted; nothing is lost with it (the log and the cursors are in MySQL).
 */
export class SyncRuntime implements CommitSubscriber {
  private worker!: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, (msg: FromSyncThread) => void>();
  private lastNudge = 0;
  private latest: SyncStatus;
  private statusTimer: NodeJS.Timeout;
  private stopped = false;
  private drained: (() => void) | null = null;

  constructor(
    private readonly data: SyncThreadData,
    private readonly log: Logger,
  ) {
    this.latest = { site: data.siteId, leader: false, peers: [] };
    this.spawn();
    this.statusTimer = setInterval(() => void this.refreshStatus(), STATUS_REFRESH_MS);
    this.statusTimer.unref();
  }

  static start(config: Config, replicatedOwedMask: number, log: Logger): SyncRuntime {
    return new SyncRuntime(
      { siteId: config.siteId, peers: config.peers, sync: config.sync, mysql: config.mysql, logLevel: config.log.level, replicatedOwedMask },
      log,
    );
  }

  /** The writer committed: senders look at the log now rather than at their next poll. */
  committed(_rows: readonly CommittedCheckIn[]): void {
    this.nudge();
  }

  nudge(): void {
    const now = performance.now();
    if (now - this.lastNudge < NUDGE_EVERY_MS) return;
    this.lastNudge = now;
    this.post({ type: 'nudge' });
  }

  /** The latest status (refreshed every second). */
  get status(): SyncStatus {
    return this.latest;
  }

  async freshStatus(timeoutMs = 1000): Promise<SyncStatus> {
    const msg = await this.request((id) => ({ type: 'status', id }), timeoutMs);
    if (msg?.type === 'status') this.latest = msg.status;
    return this.latest;
  }

  /** Verifies and applies a batch a peer sent here (in the sync thread). */
  async receive(origin: string, timestamp: string, signature: string, body: Buffer, timeoutMs: number): Promise<ReceiveReply> {
    const copy = new Uint8Array(body.byteLength);
    copy.set(body);
    const msg = await this.request((id) => ({ type: 'receive', id, origin, timestamp, signature, body: copy }), timeoutMs);
    if (msg?.type === 'received') return msg.reply;
    return { ok: false, code: 'STORE_UNAVAILABLE', message: 'the sync thread did not answer in time' };
  }

  /** Senders finish their batch in flight and save their cursors; then the thread ends. */
  async drain(timeoutMs: number): Promise<void> {
    this.stopped = true;
    clearInterval(this.statusTimer);
    const done = new Promise<void>((resolve) => {
      this.drained = resolve;
    });
    this.post({ type: 'drain' });
    const timer = setTimeout(() => this.drained?.(), timeoutMs);
    await done;
    clearTimeout(timer);
    await this.worker.terminate();
  }

  private spawn(): void {
    this.worker = new Worker(new URL('./thread.js', import.meta.url), { workerData: this.data, name: 'hopgate-sync' });
    this.worker.on('message', (msg: FromSyncThread) => this.onMessage(msg));
    this.worker.on('error', (e) => this.log.error({ err: e }, 'sync thread failed'));
    this.worker.on('exit', (code) => {
      for (const resolve of this.waiting.values()) resolve({ type: 'drained' });
      this.waiting.clear();
      if (this.stopped) return;
      this.log.error({ code }, 'sync thread exited; restarting it in 1 s');
      setTimeout(() => {
        if (!this.stopped) this.spawn();
      }, 1000).unref();
    });
  }

  private onMessage(msg: FromSyncThread): void {
    if (msg.type === 'drained') {
      this.drained?.();
      return;
    }
    const resolve = this.waiting.get(msg.id);
    if (resolve) {
      this.waiting.delete(msg.id);
      resolve(msg);
    }
  }

  private request(make: (id: number) => ToSyncThread, timeoutMs: number): Promise<FromSyncThread | null> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(id, (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      this.post(make(id));
    });
  }

  private async refreshStatus(): Promise<void> {
    await this.freshStatus();
  }

  private post(msg: ToSyncThread): void {
    if (this.stopped && msg.type !== 'drain') return;
    this.worker.postMessage(msg, msg.type === 'receive' ? [msg.body.buffer as ArrayBuffer] : []);
  }
}
