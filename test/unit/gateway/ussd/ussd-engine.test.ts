import { describe, expect, it } from 'vitest';
import { InMemoryUssdServices, VENUES } from './support/in-memory-services.js';
import { dialectByName } from '../../../../src/gateway/ussd/vendors/index.js';
import { Harness, MENU, TTL_MS } from './support/harness.js';
import { UssdDialog } from '../../../../src/gateway/ussd/dialog.js';
import { gsm7Length } from '../../../../src/gateway/ussd/gsm7.js';
import { MemorySessionStore } from '../../../../src/gateway/ussd/memory-session-store.js';
import type { UssdSessionStore } from '../../../../src/gateway/ussd/session.js';
import { ScreenRules } from '../../../../src/gateway/ussd/screen.js';
import { UssdEngine } from '../../../../src/gateway/ussd/ussd-engine.js';
import { form, post } from './support/wire.js';

const P = '+254711000001';

/** A session store whose every call fails, as with Redis down. */
const down = () => Promise.reject(new Error('redis down'));
const DOWN_STORE: UssdSessionStore = { load: down, save: down, saveLater: down, remove: down, claimStart: down };

describe('USSD sessions (engine + dialog)', () => {
  it("menu → check in → points, in Africa's Talking's cumulative dialect", async () => {
    const h = new Harness();
    expect(await h.at('s1', P, '')).toEqual({ text: MENU, end: false });
    expect(await h.at('s1', P, '1')).toEqual({ text: 'Enter the venue code:\n0 Back', end: false });
    expect(await h.at('s1', P, '1*123')).toEqual({
      text: 'Checked in at Java House! You earned points.\nSee them in My points shortly.\n0 Menu',
      end: false,
    });
    expect(await h.at('s1', P, '1*123*0')).toEqual({ text: MENU, end: false });
    h.services.settle();
    expect(await h.at('s1', P, '1*123*0*2')).toEqual({ text: 'You have 10 points. Your rank: #1.\n0 Back', end: false });
    expect(h.services.checkIns).toHaveLength(1);
    expect(h.services.checkIns[0]).toMatchObject({ msisdn: P, venueId: 'v-123', rewarded: true, channel: 'ussd', requestKey: 's1:0:2' });
  });

  it('dial-through checks in in one hop and ends; the menu route gives the same result', async () => {
    const h = new Harness();
    const direct = await h.at('d1', P, '', '*384*123#');
    expect(direct).toEqual({ text: 'Checked in at Java House! You earned points.\nSee them in My points shortly.', end: true });
    // Africa's Talking may also deliver the extension as the first hop's text.
    const viaText = await h.at('d2', '+254711000002', '123');
    expect(viaText).toEqual(direct);
    await h.at('d3', '+254711000003', '');
    await h.at('d3', '+254711000003', '1');
    const viaMenu = await h.at('d3', '+254711000003', '1*123');
    expect(viaMenu.text).toBe(`${direct.text}\n0 Menu`);
    // Per-hop dialects: the dialled string carries the extension.
    expect(await h.hubtel({ SessionId: 'hd', Mobile: '254711000004', Type: 'Initiation', Message: '*384*123#', Sequence: 1 })).toEqual(direct);
    expect(await h.flares('SessionID=fd&MSISDN=254711000005&input=384*123')).toEqual(direct);
    expect(await h.truroute('td', '254711000006', 1, '*384*123#')).toEqual(direct);
    expect(await h.imi('msisdn=254711000007&msg=*384*123%23')).toEqual(direct);
    expect(h.services.checkIns).toHaveLength(7);
  });

  it("dial-through as vendors deliver it: AT's first-hop text, Hubtel's whole dial string under its own code", async () => {
    const h = new Harness();
    const direct = await h.at('v1', P, '', '*384*123#');
    // Africa's Talking, new session, serviceCode=*384# and text=123: a dial-through at once …
    expect(await h.at('v2', '+254711000002', '123')).toEqual(direct);
    // … while a later hop with the same text is a menu answer (the menu has no item 123).
    await h.at('v3', '+254711000003', '');
    expect((await h.at('v3', '+254711000003', '123')).text).toMatch(/^Invalid choice/);
    // Hubtel's Initiation carries the dial string; its code may be the aggregator's own.
    expect(await h.hubtel({ SessionId: 'v4', Mobile: '254711000004', ServiceCode: '713', Type: 'Initiation', Message: '*713*123#', Sequence: 1 })).toEqual(direct);
    expect(await h.hubtel({ SessionId: 'v5', Mobile: '254711000005', ServiceCode: '*713#', Type: 'Initiation', Message: '*713*123#', Sequence: 1 })).toEqual(direct);
    // A typed answer is never read as a dial string under the vendor's code.
    expect((await h.hubtel({ SessionId: 'v6', Mobile: '254711000006', ServiceCode: '713', Type: 'Initiation', Message: '*999*123#', Sequence: 1 })).text).toBe(MENU);
    expect(h.services.checkIns.map((c) => c.msisdn)).toEqual([P, '+254711000002', '+254711000004', '+254711000005']);
  });

  it("a shared code's channel sent as Africa's Talking's first input is part of the code", async () => {
    const services = new InMemoryUssdServices(VENUES);
    const dialog = new UssdDialog(services, { serviceCode: '*384*12#' });
    const engine = new UssdEngine(dialog, new MemorySessionStore(TTL_MS), { serviceCode: '*384*12#', defaultLanguage: 'en', defaultCountryCode: '254' });
    const at = async (sessionId: string, text: string, serviceCode = '*384#') => {
      const parsed = dialectByName('africastalking')!.parse(form({ sessionId, phoneNumber: P, serviceCode, text }), { serviceCode: '*384*12#' });
      if (!parsed.ok) throw new Error('parse failed');
      return engine.handle(parsed.value, Date.now());
    };
    const direct = await at('c1', '', '*384*12*123#');
    expect(direct).toEqual({ text: 'Checked in at Java House! You earned points.\nSee them in My points shortly.', end: true });
    expect(await at('c2', '12*123')).toEqual({ ...direct, text: 'Checked in at Java House. Already rewarded there today, no new points.\nTotal 0 points.' });
    // The channel on every hop of a menu session: menu, 1 (check in), 123.
    expect((await at('c3', '12')).text).toBe(MENU);
    expect((await at('c3', '12*1')).text).toBe('Enter the venue code:\n0 Back');
    expect((await at('c3', '12*1*123')).text).toMatch(/^Checked in at Java House\. Already rewarded/);
    expect(services.checkIns).toHaveLength(3);
  });

  it('a resent hop gets the same screen and never a second check-in', async () => {
    const h = new Harness();
    await h.at('r1', P, '');
    await h.at('r1', P, '1');
    const first = await h.at('r1', P, '1*123');
    const again = await h.at('r1', P, '1*123');
    expect(again).toEqual(first);
    // Two nodes serving the same hop at once: same request key, so one check-in.
    const h2 = new Harness();
    await h2.at('r2', P, '');
    await h2.at('r2', P, '1');
    const [a, b] = await Promise.all([h2.at('r2', P, '1*123'), h2.at('r2', P, '1*123')]);
    expect(a).toEqual(b);
    expect(h.services.checkIns).toHaveLength(1);
    expect(h2.services.checkIns).toHaveLength(1);
  });

  it('Hubtel: a duplicated Initiation is one session; Sequence recognises a resend; Release closes', async () => {
    const h = new Harness();
    const start = { SessionId: 'h1', Mobile: '254711000001', Type: 'Initiation', Message: '*384#', Sequence: 1 };
    const menu = await h.hubtel(start);
    expect(await h.hubtel(start)).toEqual(menu);
    await h.hubtel({ SessionId: 'h1', Mobile: '254711000001', Type: 'Response', Message: '1', Sequence: 2 });
    const done = await h.hubtel({ SessionId: 'h1', Mobile: '254711000001', Type: 'Response', Message: '123', Sequence: 3 });
    expect(await h.hubtel({ SessionId: 'h1', Mobile: '254711000001', Type: 'Response', Message: '123', Sequence: 3 })).toEqual(done);
    expect(h.services.checkIns).toHaveLength(1);
    // The same input under a new Sequence is a new hop: here, an invalid choice.
    expect((await h.hubtel({ SessionId: 'h1', Mobile: '254711000001', Type: 'Response', Message: '123', Sequence: 4 })).text).toContain('Invalid choice');
    expect(await h.hubtel({ SessionId: 'h1', Mobile: '254711000001', Type: 'Release', Sequence: 5 })).toEqual({ text: '', end: true });
    expect(await h.hubtel({ SessionId: 'h1', Mobile: '254711000001', Type: 'Response', Message: '2', Sequence: 6 })).toEqual({
      text: 'Your session has expired. Please dial *384# again.',
      end: true,
    });
  });

  it('per-hop vendors without hop counters: same input within the window is a resend', async () => {
    const h = new Harness();
    await h.flares('SessionID=f1&MSISDN=254711000001&input=384');
    const ask = await h.flares('SessionID=f1&MSISDN=254711000001&input=1');
    h.clock += 1000;
    expect(await h.flares('SessionID=f1&MSISDN=254711000001&input=1')).toEqual(ask);
    await h.flares('SessionID=f1&MSISDN=254711000001&input=123');
    h.clock += 1000;
    await h.flares('SessionID=f1&MSISDN=254711000001&input=123');
    expect(h.services.checkIns).toHaveLength(1);
    h.clock += 10_000; // a deliberate repeat after the window is a new hop
    expect((await h.flares('SessionID=f1&MSISDN=254711000001&input=123')).text).toContain('Invalid choice');
  });

  it('a dialect may have its own service code: dial-through, expiry and help use it', async () => {
    const h = new Harness();
    const hop = (body: Record<string, unknown>) => {
      const parsed = dialectByName('hubtel')!.parse(post('application/json', JSON.stringify(body)), { serviceCode: '*713#' });
      if (!parsed.ok) throw new Error('parse failed');
      return h.engine.handle(parsed.value, h.clock, '*713#');
    };
    expect(await hop({ SessionId: 'sc1', Mobile: '254711000001', Type: 'Initiation', Message: '*713*123#', Sequence: 1 })).toEqual({
      text: 'Checked in at Java House! You earned points.\nSee them in My points shortly.',
      end: true,
    });
    await hop({ SessionId: 'sc2', Mobile: '254711000001', Type: 'Initiation', Message: '*713#', Sequence: 1 });
    expect((await hop({ SessionId: 'sc2', Mobile: '254711000001', Type: 'Response', Message: '5', Sequence: 2 })).text).toContain('dial *713# and choose 1');
    expect((await hop({ SessionId: 'sc3', Mobile: '254711000001', Type: 'Response', Message: '1', Sequence: 2 })).text).toBe(
      'Your session has expired. Please dial *713# again.',
    );
  });

  it('navigation keys repeated at once are applied twice (back, back), not taken for a resend', async () => {
    const h = new Harness();
    await h.truroute('n1', '254711000001', 1, '*384#');
    await h.truroute('n1', '254711000001', 2, '3');
    await h.truroute('n1', '254711000001', 2, '1');
    expect((await h.truroute('n1', '254711000001', 2, '0')).text).toBe('Top players\n1 Global\n2 My city\n3 This week\n0 Back');
    expect((await h.truroute('n1', '254711000001', 2, '0')).text).toBe(MENU);
  });

  it('back and paging: top lists page with 98, 0 goes back', async () => {
    const h = new Harness();
    for (let i = 0; i < 30; i++) h.services.setTotal(`+2547120000${String(i).padStart(2, '0')}`, 1000 - i, 'nairobi');
    await h.at('p1', P, '');
    expect(await h.at('p1', P, '3')).toEqual({ text: 'Top players\n1 Global\n2 My city\n3 This week\n0 Back', end: false });
    const page1 = await h.at('p1', P, '3*1');
    expect(page1.text.split('\n').slice(0, 3)).toEqual(['Top players - Global:', '1. +2547*****000 1000', '2. +2547*****001 999']);
    expect(page1.text.endsWith('\n98 More\n0 Back')).toBe(true);
    const page2 = await h.at('p1', P, '3*1*98');
    expect(page2.text).not.toEqual(page1.text);
    expect(page2.text).toMatch(/^Top players - Global:\n\d+\. /);
    const firstOnPage2 = Number(/\n(\d+)\. /.exec(page2.text)![1]);
    expect(firstOnPage2).toBe(page1.text.split('\n').filter((l) => /^\d+\. /.test(l)).length + 1);
    let path = '3*1*98';
    let last = page2;
    for (let i = 0; i < 10 && last.text.includes('98 More'); i++) last = await h.at('p1', P, (path += '*98'));
    expect(last.text).toContain('30. ');
    expect(await h.at('p1', P, `${path}*0`)).toEqual({ text: 'Top players\n1 Global\n2 My city\n3 This week\n0 Back', end: false });
    expect(await h.at('p1', P, `${path}*0*0`)).toEqual({ text: MENU, end: false });
  });

  it('my city needs a known city; this week and help page too', async () => {
    const h = new Harness();
    await h.at('c1', P, '');
    expect((await h.at('c1', P, '3*2')).text).toBe('We do not know your city yet. Check in at a venue first.\n0 Back');
    expect((await h.at('c1', P, '3*2*0*3')).text).toBe('Nobody is on this board yet.\n0 Back');
    await h.at('c2', P, '');
    const help1 = await h.at('c2', P, '5');
    expect(help1.text).toContain('98 More');
    const help2 = await h.at('c2', P, '5*98');
    const help3 = await h.at('c2', P, '5*98*98');
    expect(new Set([help1.text, help2.text, help3.text]).size).toBe(3);
    expect(help3.text).not.toContain('98 More');
    expect(help1.text).toContain('*384*123#');
  });

  it('invalid input re-prompts with a hint and keeps the session', async () => {
    const h = new Harness();
    await h.at('i1', P, '');
    expect(await h.at('i1', P, '9')).toEqual({ text: MENU.replace('Hopgate rewards', 'Invalid choice, reply with a number:'), end: false });
    expect(await h.at('i1', P, '9*1')).toEqual({ text: 'Enter the venue code:\n0 Back', end: false });
    expect(await h.at('i1', P, '9*1*')).toEqual({ text: 'Venue codes are digits only, e.g. 123.\nEnter the venue code:\n0 Back', end: false });
    expect(await h.at('i1', P, '9*1**999')).toEqual({ text: 'No venue has code 999. Check the code and try again:\n0 Back', end: false });
    expect(await h.at('i1', P, '9*1**999*777')).toEqual({ text: 'Closed Corner is closed now. Enter another venue code:\n0 Back', end: false });
    const ok = await h.at('i1', P, '9*1**999*777*4711');
    expect(ok.end).toBe(false);
    expect(ok.text).toMatch(/^Checked in at Mama Oliech Fish Restaurant/);
  });

  it('a word named like an Object.prototype member is an invalid choice, not a board (re-prompt, session kept)', async () => {
    const h = new Harness();
    for (const w of ['constructor', '__proto__', 'toString']) {
      await h.at(`p-${w}`, P, '');
      const choose = await h.at(`p-${w}`, P, '3');
      expect(await h.at(`p-${w}`, P, `3*${w}`), w).toEqual({ text: choose.text.replace(/^[^\n]*/, 'Invalid choice, reply with a number:'), end: false });
      expect(await h.at(`p-${w}`, P, `3*${w}*1`), w).toMatchObject({ end: false }); // the session lives on: 1 shows the global board
    }
  });

  it('invalid input on a help page re-prompts with the hint where the screen has room for it', async () => {
    const h = new Harness();
    await h.at('hh', P, '');
    const help1 = await h.at('hh', P, '5');
    expect(await h.at('hh', P, '5*7')).toEqual({ text: `Invalid choice, reply with a number:\n${help1.text}`, end: false });
    // 98 still pages on from there, 0 still goes back.
    expect((await h.at('hh', P, '5*7*98')).text).toMatch(/^One rewarded check-in per venue per day\./);
    expect(await h.at('hh', P, '5*7*98*0')).toEqual({ text: MENU, end: false });
    // Hindi help pages have no room for a hint within 80 UCS-2 characters: the page again, never cut.
    await h.at('hh2', P, '');
    await h.at('hh2', P, '6*2');
    const hiHelp = await h.at('hh2', P, '6*2*5*98');
    expect(await h.at('hh2', P, '6*2*5*98*7')).toEqual(hiHelp);
  });

  it('language choice switches to Hindi (UCS-2, ≤ 80) and is remembered', async () => {
    const h = new Harness();
    await h.at('l1', P, '');
    expect(await h.at('l1', P, '6')).toEqual({ text: 'Choose your language:\n1 English\n2 हिन्दी\n0 Back', end: false });
    const hindi = await h.at('l1', P, '6*2');
    expect(hindi.text.startsWith('हॉपगेट इनाम\n1 चेक-इन')).toBe(true);
    const later = await h.at('l2', P, '');
    expect(later).toEqual(hindi);
    const checkIn = await h.at('l2', P, '1*900');
    expect(checkIn.text.length).toBeLessThanOrEqual(80);
    expect(checkIn.text).toMatch(/पर चेक-इन! इनाम मिला।\nअंक जल्द ही जुड़ेंगे।\n0 मेनू$/);
    expect((await h.at('l3', '+254711000009', '')).text).toBe(MENU);
  });

  it('an expired session ends politely; a cumulative path is replayed instead', async () => {
    const h = new Harness();
    await h.flares('SessionID=e1&MSISDN=254711000001&input=384');
    h.clock += TTL_MS + 1;
    expect(await h.flares('SessionID=e1&MSISDN=254711000001&input=1')).toEqual({
      text: 'Your session has expired. Please dial *384# again.',
      end: true,
    });
    await h.at('e2', P, '');
    h.clock += TTL_MS + 1;
    expect(await h.at('e2', P, '1*123')).toEqual({ text: 'Checked in at Java House! You earned points.\nSee them in My points shortly.\n0 Menu', end: false });
  });

  it('IMImobile: a new dial by the same subscriber starts a new session', async () => {
    const h = new Harness();
    await h.imi('msisdn=254711000001&msg=*384%23');
    expect((await h.imi('msisdn=254711000001&msg=1')).text).toBe('Enter the venue code:\n0 Back');
    h.clock += 20_000;
    expect(await h.imi('msisdn=254711000001&msg=*384%23')).toEqual({ text: MENU, end: false });
  });

  it('IMImobile: a start sent twice at once (no session id, keyed on the MSISDN) is one check-in and one screen', async () => {
    const h = new Harness();
    const first = h.imi('msisdn=254711000001&msg=*384*123%23');
    h.clock += 30; // the duplicate arrives a moment later, before the first is stored
    const second = h.imi('msisdn=254711000001&msg=*384*123%23');
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual({ text: 'Checked in at Java House! You earned points.\nSee them in My points shortly.', end: true });
    expect(b).toEqual(a);
    expect(h.services.checkIns).toHaveLength(1);
    // A later dial by the same subscriber is a new session: its own check-in.
    h.clock += 60_000;
    await h.imi('msisdn=254711000001&msg=*384%23');
    await h.imi('msisdn=254711000001&msg=1');
    expect((await h.imi('msisdn=254711000001&msg=123')).text).toMatch(/^Checked in at Java House\. Already rewarded/);
    expect(h.services.checkIns).toHaveLength(2);
    // The same dial-through again, past the resend window but within the session's life:
    // the subscriber dialled again, not the gateway resending (it was the same screen).
    await h.imi('msisdn=254711000001&msg=*384*123%23');
    h.clock += 6_000;
    expect((await h.imi('msisdn=254711000001&msg=*384*123%23')).text).toMatch(/^Checked in at Java House\. Already rewarded/);
    expect(h.services.checkIns).toHaveLength(4);
  });

  it('TruRoute: timeout closes the session', async () => {
    const h = new Harness();
    await h.truroute('t1', '254711000001', 1, '*384#');
    expect(await h.truroute('t1', '254711000001', 4, '')).toEqual({ text: '', end: true });
    expect((await h.truroute('t1', '254711000001', 2, '1')).end).toBe(true);
  });

  it('skipper of a venue: someone else, you, nobody', async () => {
    const h = new Harness();
    h.services.setSkipper('123', '+254799000001', 12);
    h.services.setSkipper('555', P, 3);
    expect((await h.at('k1', P, '4*123')).text).toBe('Skipper of Java House: +2547*****001, 12 days.\n0 Back');
    expect((await h.at('k1', P, '4*123*555')).text).toBe('You are the skipper of Café "Zanzibar" - Old Town Rooftop Terrace and Shisha Lounge, 3 days!\n0 Back');
    expect((await h.at('k1', P, '4*123*555*4711')).text).toMatch(/^Mama Oliech .* has no skipper yet\./);
  });

  it('a skipper of one day is "1 day", not "1 days", in every language', async () => {
    const h = new Harness();
    h.services.setSkipper('123', '+254799000001', 1);
    h.services.setSkipper('555', P, 1);
    expect((await h.at('k2', P, '4*123')).text).toBe('Skipper of Java House: +2547*****001, 1 day.\n0 Back');
    expect((await h.at('k2', P, '4*123*555')).text).toBe('You are the skipper of Café "Zanzibar" - Old Town Rooftop Terrace and Shisha Lounge, 1 day!\n0 Back');
    await h.at('k3', P, '');
    await h.at('k3', P, '6*2');
    expect((await h.at('k3', P, '6*2*4*123')).text).toBe('Java House स्किपर: +2547*****001, 1 दिन\n0 पीछे');
  });

  it('busy dependencies and bad numbers get a polite END', async () => {
    const h = new Harness();
    await h.at('b1', P, '');
    h.services.busy = true;
    expect(await h.at('b1', P, '2')).toEqual({ text: 'Sorry, we are busy right now. Please try again in a minute.', end: true });
    expect(await h.at('b2', 'not-a-number', '')).toEqual({ text: 'Sorry, this service is not available for your number.', end: true });
  });

  it('a session store failure is a polite busy END, not an exception', async () => {
    const h = new Harness(DOWN_STORE);
    expect(await h.at('x1', P, '')).toEqual({ text: 'Sorry, we are busy right now. Please try again in a minute.', end: true });
  });

  it('a dial-through commits while its session loads; without the session store it still checks in', async () => {
    // The session load is held until released: the dial-through's check-in is already made.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const mem = new MemorySessionStore(TTL_MS);
    const slow: UssdSessionStore = {
      load: async (v, k, m) => {
        await held;
        return mem.load(v, k, m);
      },
      save: (v, k, s, r) => mem.save(v, k, s, r),
      saveLater: (v, k, s, r) => mem.saveLater(v, k, s, r),
      remove: (v, k) => mem.remove(v, k),
      claimStart: (v, k, i, n, t) => mem.claimStart(v, k, i, n, t),
    };
    const h = new Harness(slow);
    const pending = h.at('e1', P, '', '*384*123#');
    // Typed input and MSISDN-keyed vendors wait for the session: a menu answer is no check-in.
    const menuHop = h.at('e2', '+254711000002', '123');
    const imi = h.imi('msisdn=254711000003&msg=*384*123%23');
    await new Promise((r) => setImmediate(r));
    expect(h.services.checkIns.map((c) => c.requestKey)).toEqual(['e1:0:1']);
    release();
    const direct = { text: 'Checked in at Java House! You earned points.\nSee them in My points shortly.', end: true };
    expect(await pending).toEqual(direct);
    expect(await menuHop).toEqual(direct); // no session: Africa's Talking's text-borne dial-through
    expect(await imi).toEqual(direct);
    // The telco resends the first hop: same screen, still one check-in for that session.
    expect(await h.at('e1', P, '', '*384*123#')).toEqual(direct);
    expect(h.services.checkIns.filter((c) => c.requestKey === 'e1:0:1')).toHaveLength(1);
    // A menu session's typed venue code after the menu is a menu answer, never a check-in.
    await h.at('e4', '+254711000004', '');
    const before = h.services.checkIns.length;
    expect((await h.at('e4', '+254711000004', '123')).text).toMatch(/^Invalid choice/);
    expect(h.services.checkIns).toHaveLength(before);

    // Session store down: the dial-through is still answered from its check-in; a menu is not.
    const h2 = new Harness(DOWN_STORE);
    expect(await h2.at('e5', P, '', '*384*123#')).toEqual(direct);
    expect(await h2.at('e5', P, '', '*384*123#')).toEqual(direct); // resent: the same check-in, replayed
    expect(h2.services.checkIns).toHaveLength(1);
    expect(await h2.at('e6', P, '')).toEqual({ text: 'Sorry, we are busy right now. Please try again in a minute.', end: true });
  });

  it('every screen of a long walk fits, in both languages, with the longest names (the harness checks each reply)', async () => {
    const h = new Harness();
    for (let i = 0; i < 40; i++) h.services.setTotal(`+2547120000${String(i).padStart(2, '0')}`, 999_999_999 - i, 'nairobi');
    for (const v of VENUES) if (v.open) h.services.setSkipper(v.code, '+254799000001', 365);
    for (const lang of ['1', '2']) {
      const sid = `w${lang}`;
      let path = `6*${lang}`;
      await h.at(sid, P, '');
      await h.at(sid, P, path);
      const walk = ['9', '1', 'x', '999', '777', ...VENUES.filter((v) => v.open).flatMap((v) => [v.code, '0', '1']), '0',
        '2', '5', '0', '3', '1', '98', '98', '98', '98', '0', '2', '98', '0', '3', '98', '0', '0', '4', ...VENUES.map((v) => v.code), '0', '5', '98', '98', '0'];
      for (const step of walk) {
        const reply = await h.at(sid, P, (path += `*${step}`));
        expect(reply.end, `${lang} ${path}`).toBe(false);
      }
    }
    expect(h.services.checkIns.length).toBe(2 * VENUES.filter((v) => v.open).length);
  });

  it('an END screen does not wait for the session write; a CON screen does, and a failed write ends politely', async () => {
    const errors: string[] = [];
    const hanging = {
      load: async () => ({ session: null, lang: null }),
      save: () => new Promise<void>(() => {}),
      saveLater: () => new Promise<void>(() => {}),
      remove: async () => {},
      claimStart: async (_v: string, _k: string, _i: string, nonce: string) => nonce,
    };
    const h = new Harness(hanging);
    expect(await h.at('nw1', P, '', '*384*123#')).toEqual({ text: 'Checked in at Java House! You earned points.\nSee them in My points shortly.', end: true });
    const failing = { ...hanging, save: () => Promise.reject(new Error('redis down')), saveLater: () => Promise.reject(new Error('redis down')) };
    const h2 = new Harness(failing);
    const engine = new UssdEngine(h2.dialog, failing, { serviceCode: '*384#', defaultLanguage: 'en', defaultCountryCode: '254', onError: (where) => errors.push(where) });
    const parsed = dialectByName('africastalking')!.parse(form({ sessionId: 'nw2', phoneNumber: P, serviceCode: '*384#', text: '' }), { serviceCode: '*384#' });
    expect(parsed.ok && (await engine.handle(parsed.value, h2.clock))).toEqual({ text: 'Sorry, we are busy right now. Please try again in a minute.', end: true });
    const dial = dialectByName('africastalking')!.parse(form({ sessionId: 'nw3', phoneNumber: P, serviceCode: '*384*123#', text: '' }), { serviceCode: '*384#' });
    expect(dial.ok && (await engine.handle(dial.value, h2.clock))).toMatchObject({ end: true, text: expect.stringMatching(/^Checked in at Java House/) });
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual(['save', 'save']);
  });

  it('a venue name outside GSM-7 is shortened, never dropped: with no room for any of it, the screen names the venue code', async () => {
    const h = new Harness();
    // English texts are GSM-7; a Devanagari venue name makes the screen UCS-2 (80 characters).
    const first = await h.at('u1', P, '', '*384*900#');
    expect(first.text).toMatch(/^Checked in at हल्दी.*\.\.! You earned points\.\nSee them in My points shortly\.$/);
    // "Already rewarded there today" leaves no room for the name in 80 characters.
    expect(await h.at('u2', P, '', '*384*900#')).toEqual({
      text: 'Checked in at venue 900. Already rewarded there today, no new points.\nTotal 0 points.',
      end: true,
    });
    await h.at('u3', P, '');
    await h.at('u3', P, '1');
    expect((await h.at('u3', P, '1*900')).text).toBe('Checked in at venue 900. Already rewarded there today, no new points.\nTotal 0 points.\n0 Menu');
  });

  it('honours smaller operator screen limits (160 GSM-7)', async () => {
    const services = new InMemoryUssdServices(VENUES);
    const dialog = new UssdDialog(services, { serviceCode: '*384#', screen: new ScreenRules({ gsm7: 160, ucs2: 80 }) });
    const engine = new UssdEngine(dialog, new MemorySessionStore(TTL_MS), { serviceCode: '*384#', defaultLanguage: 'en', defaultCountryCode: '254' });
    const parsed = dialectByName('africastalking')!.parse(form({ sessionId: 'sl1', phoneNumber: P, serviceCode: '*384*8080#', text: '' }), { serviceCode: '*384#' });
    const reply = parsed.ok ? await engine.handle(parsed.value, Date.now()) : null;
    expect(reply?.end).toBe(true);
    expect(reply?.text).toMatch(/^Checked in at The Grand Kilimanjaro .*\.\.! You earned points\.\nSee them in My points shortly\.$/);
    expect(gsm7Length(reply!.text)).toBeGreaterThanOrEqual(159); // the name is cut to fill the screen
    expect(gsm7Length(reply!.text)).toBeLessThanOrEqual(160);
  });
});
