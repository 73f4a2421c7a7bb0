import { expect } from 'vitest';
import { UssdDialog } from '../../../../../src/gateway/ussd/dialog.js';
import { fitsUssdScreen } from '../../../../../src/gateway/ussd/gsm7.js';
import { MemorySessionStore } from '../../../../../src/gateway/ussd/memory-session-store.js';
import type { UssdSessionStore } from '../../../../../src/gateway/ussd/session.js';
import type { UssdReply, UssdRequest } from '../../../../../src/gateway/ussd/types.js';
import { UssdEngine } from '../../../../../src/gateway/ussd/ussd-engine.js';
import { dialectByName } from '../../../../../src/gateway/ussd/vendors/index.js';
import { InMemoryUssdServices, VENUES } from './in-memory-services.js';
import { CTX, form, get, post } from './wire.js';

export const TTL_MS = 180_000;

/** Dialog + engine + in-memory services and sessions, with a settable clock. */
export class Harness {
  clock = Date.UTC(2026, 10, 28, 12, 0, 0);
  readonly services = new InMemoryUssdServices(VENUES);
  readonly store: UssdSessionStore;
  readonly engine: UssdEngine;
  readonly dialog: UssdDialog;

  constructor(store?: UssdSessionStore) {
    this.store = store ?? new MemorySessionStore(TTL_MS, () => this.clock);
    this.dialog = new UssdDialog(this.services, { serviceCode: '*384#' });
    this.engine = new UssdEngine(this.dialog, this.store, { serviceCode: '*384#', defaultLanguage: 'en', defaultCountryCode: '254' });
  }

  async handle(req: UssdRequest): Promise<UssdReply> {
    const reply = await this.engine.handle(req, this.clock);
    expect(fitsUssdScreen(reply.text), reply.text).toBe(true);
    return reply;
  }

  /** Africa's Talking hop through the real adapter. */
  async at(sessionId: string, phone: string, text: string, serviceCode = '*384#'): Promise<UssdReply> {
    const parsed = dialectByName('africastalking')!.parse(form({ sessionId, phoneNumber: phone, serviceCode, text }), CTX);
    if (!parsed.ok) throw new Error('parse failed');
    return this.handle(parsed.value);
  }

  async hubtel(body: Record<string, unknown>): Promise<UssdReply> {
    const parsed = dialectByName('hubtel')!.parse(post('application/json', JSON.stringify(body)), CTX);
    if (!parsed.ok) throw new Error('parse failed');
    return this.handle(parsed.value);
  }

  async flares(query: string): Promise<UssdReply> {
    const parsed = dialectByName('flares')!.parse(get(query), CTX);
    if (!parsed.ok) throw new Error('parse failed');
    return this.handle(parsed.value);
  }

  async imi(query: string): Promise<UssdReply> {
    const parsed = dialectByName('imimobile')!.parse(get(query), CTX);
    if (!parsed.ok) throw new Error('parse failed');
    return this.handle(parsed.value);
  }

  async truroute(sessionId: string, msisdn: string, type: number, msg: string): Promise<UssdReply> {
    const xml = `<ussd><msisdn>${msisdn}</msisdn><sessionid>${sessionId}</sessionid><type>${type}</type><msg>${msg}</msg></ussd>`;
    const parsed = dialectByName('truroute')!.parse(post('text/xml', xml), CTX);
    if (!parsed.ok) throw new Error('parse failed');
    return this.handle(parsed.value);
  }
}

export const MENU = 'Hopgate rewards\n1 Check in\n2 My points\n3 Top players\n4 Venue skipper\n5 Help\n6 Language';
