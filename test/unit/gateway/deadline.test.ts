import { describe, expect, it } from 'vitest';
import { DeadlineQueue, type Expirable } from '../../../src/gateway/deadline.js';

function item(deadlineAt: number, log: number[], id: number): Expirable & { done: boolean } {
  return {
    deadlineAt,
    done: false,
    expire() {
      log.push(id);
    },
  };
}

describe('DeadlineQueue', () => {
  it('expires overdue, unanswered requests in arrival order and skips answered ones', () => {
    const q = new DeadlineQueue(100, 1000);
    const log: number[] = [];
    const a = item(100, log, 1);
    const b = item(110, log, 2);
    const c = item(120, log, 3);
    q.add(a);
    q.add(b);
    q.add(c);
    b.done = true;
    q.sweep(50);
    expect(log).toEqual([]);
    q.sweep(115);
    expect(log).toEqual([1]);
    q.sweep(1000);
    expect(log).toEqual([1, 3]);
    q.close();
  });
});
