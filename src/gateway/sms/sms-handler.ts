import type { CommitWatch } from '../../core/ports/checkin-store.port.js';
import { maskMsisdn } from '../ussd/mask.js';
import type { UssdCheckInOutcome, UssdServices } from '../ussd/ussd-services.port.js';
import { gsm7Length, SMS_GSM7_LIMIT } from '../ussd/gsm7.js';
import { parseSmsCommand } from './sms-command.js';
import { smsText, type SmsTextKey } from './sms-texts.js';

/** A mobile-originated message, as Kannel's `sms-service` passes it (`%p`, `%P`, `%a`, `%I`). */
export interface InboundSms {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  /** Kannel's message id, when the service URL passes it: makes a redelivery idempotent. */
  readonly id: string | null;
  /** The HTTP request's id (log lines of the check-in's events). */
  readonly requestId?: string;
}

export interface SmsHandlerOptions {
  /** Shown in HELP (`Or dial *384#`). */
  readonly serviceCode: string;
  /** Idempotency scope of SMS check-ins. @defaultValue `sms:kannel` */
  readonly clientId?: string;
}

const TOP_ENTRIES = 10;

/** Runs one SMS command through the same services as the USSD dialog; returns the reply text. */
export class SmsHandler {
  private readonly clientId: string;

  constructor(
    private readonly services: UssdServices,
    private readonly opts: SmsHandlerOptions,
  ) {
    this.clientId = opts.clientId ?? 'sms:kannel';
  }

  /** @param watch the request's deadline, for a check-in it makes (see CommitWatch) */
  async handle(sms: InboundSms, now: number, watch?: CommitWatch): Promise<string> {
    const cmd = parseSmsCommand(sms.text);
    switch (cmd.kind) {
      case 'help':
        return smsText('help', { code: this.opts.serviceCode });
      case 'unknown':
        return smsText('unknown');
      case 'checkin-usage':
        return smsText('usage');
      case 'checkin':
        return this.checkIn(sms, cmd.venueCode, now, watch);
      case 'points':
        return this.points(sms.from);
      case 'top':
        return this.top(sms.from);
    }
  }

  private async checkIn(sms: InboundSms, code: string, now: number, watch: CommitWatch | undefined): Promise<string> {
    const outcome = await this.services.checkIn({
      msisdn: sms.from,
      venueCode: code,
      channel: 'sms',
      clientId: this.clientId,
      requestKey: sms.id !== null ? `${sms.id}` : null,
      at: now,
      watch,
      requestId: sms.requestId,
    });
    switch (outcome.kind) {
      case 'busy':
        return smsText('busy');
      case 'unconfirmed':
        return smsText('unconfirmed');
      case 'bad-number':
        return smsText('badNumber');
      case 'unknown-venue':
        return smsText('unknownVenue', { code });
      case 'closed':
        return smsText('closed', { venue: outcome.venueName });
      case 'ok':
        // A rewarded check-in's award is decided after the commit: say how it will be told.
        if (outcome.rewarded) return smsText(outcome.confirmedBySms ? 'rewarded.sms' : 'rewarded.later', { venue: outcome.venueName });
        return smsText('repeat', { venue: outcome.venueName, standing: standing(outcome) });
    }
  }

  private async points(msisdn: string): Promise<string> {
    const o = await this.services.standing(msisdn);
    if (o.kind === 'busy') return smsText('busy');
    if (o.kind === 'bad-number') return smsText('badNumber');
    return o.total > 0 && o.rank !== null ? smsText('points', { total: o.total, rank: o.rank }) : smsText('noPoints');
  }

  private async top(msisdn: string): Promise<string> {
    const o = await this.services.board('global', msisdn, TOP_ENTRIES);
    if (o.kind === 'busy') return smsText('busy');
    if (o.kind === 'bad-number') return smsText('badNumber');
    if (o.kind === 'no-city' || o.entries.length === 0) return smsText('topEmpty');
    let text = smsText('topHead');
    for (const e of o.entries) {
      const next = `${text} ${e.rank}. ${maskMsisdn(e.msisdn)} ${e.points}`;
      if (gsm7Length(next) > SMS_GSM7_LIMIT) break;
      text = next;
    }
    return text;
  }
}

function standing(o: Extract<UssdCheckInOutcome, { kind: 'ok' }>): string {
  const key: SmsTextKey = o.total === null ? 'standing.stale' : o.rank === null ? 'standing.norank' : 'standing.rank';
  return smsText(key, { total: o.total ?? 0, rank: o.rank ?? 0 });
}
