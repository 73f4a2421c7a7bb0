import { RingBuffer } from '../util/ring-buffer.js';

export interface Expirable {
  /** performance.now() at which the request must have been answered. */
  readonly deadlineAt: number;
  readonly done: boolean;
  expire(): void;
}

/**
 * Per-request deadlines with one coarse timer instead of a setTimeout per request.
 * All requests in one queue share the same deadline length, so they expire in arrival
 * order: a FIFO is enough, and the timer only looks at its head.
 */
export class DeadlineQueue {
  private readonly queue = new RingBuffer<Expirable>(1024);
  private readonly timer: NodeJS.Timeout;

  constructor(readonly deadlineMs: number, tickMs = Math.max(2, Math.min(10, Math.floor(deadlineMs / 20)))) {
    this.timer = setInterval(sweep, tickMs, this);
    this.timer.unref();
  }

  add(item: Expirable): void {
    this.queue.push(item);
  }

  /** @internal expires every overdue request at the head of the queue */
  sweep(now: number): void {
    for (;;) {
      const head = this.queue.peek();
      if (head === undefined) return;
      if (head.done) {
        this.queue.shift();
        continue;
      }
      if (head.deadlineAt > now) return;
      this.queue.shift();
      head.expire();
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}

function sweep(q: DeadlineQueue): void {
  q.sweep(performance.now());
}
