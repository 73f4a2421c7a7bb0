/**
 * Minimal telco-side clients, one per dialect: they speak the wire format over HTTP and
 * read screens back, so session tests can run the same script against every dialect.
 */
export interface Screen {
  readonly text: string;
  readonly end: boolean;
}

export interface UssdClient {
  /** Dials `dialled` (`*384#`, `*384*123#`). */
  start(dialled?: string): Promise<Screen>;
  answer(input: string): Promise<Screen>;
  /** Sends the last request again, byte for byte (a gateway's resend). */
  resend(): Promise<Screen>;
}

type Wire = { method: 'GET' | 'POST'; query?: string; headers: Record<string, string>; body?: string };

abstract class BaseClient implements UssdClient {
  private last: Wire | null = null;
  constructor(protected readonly url: string) {}
  protected abstract first(dialled: string): Wire;
  protected abstract next(input: string): Wire;
  protected abstract read(res: Response, body: string): Screen;

  start(dialled = '*384#'): Promise<Screen> {
    return this.send(this.first(dialled));
  }
  answer(input: string): Promise<Screen> {
    return this.send(this.next(input));
  }
  resend(): Promise<Screen> {
    if (!this.last) throw new Error('nothing to resend');
    return this.send(this.last);
  }
  private async send(w: Wire): Promise<Screen> {
    this.last = w;
    const res = await fetch(`${this.url}${w.query ? `?${w.query}` : ''}`, {
      method: w.method,
      headers: w.headers,
      ...(w.body !== undefined ? { body: w.body } : {}),
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${body}`);
    return this.read(res, body);
  }
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

class AfricasTalking extends BaseClient {
  private path: string[] = [];
  private code = '*384#';
  constructor(base: string, private readonly sid: string, private readonly phone: string) {
    super(`${base}/ussd/africastalking`);
  }
  protected first(dialled: string): Wire {
    this.code = dialled;
    this.path = [];
    return this.wire();
  }
  protected next(input: string): Wire {
    this.path.push(input);
    return this.wire();
  }
  private wire(): Wire {
    const body = new URLSearchParams({ sessionId: this.sid, phoneNumber: this.phone, serviceCode: this.code, text: this.path.join('*') });
    return { method: 'POST', headers: FORM, body: body.toString() };
  }
  protected read(_res: Response, body: string): Screen {
    return { end: body.startsWith('END '), text: body.slice(4) };
  }
}

class Hubtel extends BaseClient {
  private seq = 0;
  constructor(base: string, private readonly sid: string, private readonly phone: string) {
    super(`${base}/ussd/hubtel`);
  }
  protected first(dialled: string): Wire {
    this.seq = 1;
    return this.wire('Initiation', dialled);
  }
  protected next(input: string): Wire {
    this.seq++;
    return this.wire('Response', input);
  }
  private wire(type: string, message: string): Wire {
    const body = JSON.stringify({ SessionId: this.sid, Mobile: this.phone.replace('+', ''), ServiceCode: '384', Type: type, Message: message, Operator: 'MTN', Sequence: this.seq, ClientState: '' });
    return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  }
  protected read(_res: Response, body: string): Screen {
    const j = JSON.parse(body) as { Type: string; Message: string };
    return { end: j.Type === 'Release', text: j.Message };
  }
}

class Flares extends BaseClient {
  constructor(base: string, private readonly sid: string, private readonly phone: string) {
    super(`${base}/ussd/flares`);
  }
  protected first(dialled: string): Wire {
    return this.wire(dialled.replace(/^\*/, '').replace(/#$/, ''));
  }
  protected next(input: string): Wire {
    return this.wire(input);
  }
  private wire(input: string): Wire {
    return { method: 'GET', query: new URLSearchParams({ SessionID: this.sid, MSISDN: this.phone.replace('+', ''), MSC: 'airtel', input }).toString(), headers: {} };
  }
  protected read(res: Response, body: string): Screen {
    return { end: res.headers.get('freeflow') === 'FB', text: body };
  }
}

class TruRoute extends BaseClient {
  constructor(base: string, private readonly sid: string, private readonly phone: string) {
    super(`${base}/ussd/truroute`);
  }
  protected first(dialled: string): Wire {
    return this.wire(1, dialled);
  }
  protected next(input: string): Wire {
    return this.wire(2, input);
  }
  private wire(type: number, msg: string): Wire {
    const body = `<?xml version="1.0"?><ussd><msisdn>${this.phone.replace('+', '')}</msisdn><sessionid>${this.sid}</sessionid><type>${type}</type><msg>${msg}</msg></ussd>`;
    return { method: 'POST', headers: { 'content-type': 'text/xml' }, body };
  }
  protected read(_res: Response, body: string): Screen {
    const type = /<type>(\d)<\/type>/.exec(body)?.[1];
    const msg = /<msg>([\s\S]*)<\/msg>/.exec(body)?.[1] ?? '';
    const text = msg.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
    return { end: type === '3', text };
  }
}

class ImiMobile extends BaseClient {
  private tid = 0;
  constructor(base: string, private readonly phone: string) {
    super(`${base}/ussd/imimobile`);
  }
  protected first(dialled: string): Wire {
    return this.wire(dialled);
  }
  protected next(input: string): Wire {
    return this.wire(input);
  }
  private wire(msg: string): Wire {
    this.tid++;
    return { method: 'POST', headers: FORM, body: new URLSearchParams({ msisdn: this.phone.replace('+', ''), msg, code: '*384#', tid: String(this.tid) }).toString() };
  }
  protected read(res: Response, body: string): Screen {
    return { end: res.headers.get('x-ussd-session') === '0', text: body };
  }
}

export const DIALECT_NAMES = ['africastalking', 'hubtel', 'flares', 'truroute', 'imimobile'] as const;

export function ussdClient(dialect: (typeof DIALECT_NAMES)[number], baseUrl: string, sessionId: string, phone: string): UssdClient {
  switch (dialect) {
    case 'africastalking':
      return new AfricasTalking(baseUrl, sessionId, phone);
    case 'hubtel':
      return new Hubtel(baseUrl, sessionId, phone);
    case 'flares':
      return new Flares(baseUrl, sessionId, phone);
    case 'truroute':
      return new TruRoute(baseUrl, sessionId, phone);
    case 'imimobile':
      return new ImiMobile(baseUrl, phone);
  }
}
