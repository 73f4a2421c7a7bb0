import { Counter, type Registry } from 'prom-client';

export type UssdOutcome = 'reply' | 'busy' | 'unconfirmed' | 'malformed' | 'unusable' | 'forbidden' | 'throttled';

/**
 * `hopgate_ussd_replies_total{dialect,outcome}`: how each dialect's hops were answered.
 * `busy` counts polite END screens sent because the deadline passed. Label children are
 * cached, so counting costs no label hashing per request.
 */
export class UssdMetrics {
  private readonly replies: Counter<'dialect' | 'outcome'>;
  private readonly children = new Map<string, Counter.Internal>();

  constructor(registry: Registry) {
    this.replies = new Counter({
      name: 'hopgate_ussd_replies_total',
      help: 'USSD hops by dialect and outcome (reply, busy = deadline END, unconfirmed = deadline END with a check-in in doubt, malformed, unusable, forbidden, throttled)',
      labelNames: ['dialect', 'outcome'],
      registers: [registry],
    });
  }

  count(dialect: string, outcome: UssdOutcome): void {
    const key = dialect + ' ' + outcome;
    let c = this.children.get(key);
    if (c === undefined) {
      c = this.replies.labels(dialect, outcome);
      this.children.set(key, c);
    }
    c.inc();
  }
}
