import { destination } from 'pino';
import { maskNumbersIn } from '../core/msisdn.js';
import type { AccessFacts } from '../gateway/request-tracking.js';

/** What the access log reads of a finished request. */
export interface AccessRecord {
  readonly method: string;
  readonly url: string;
  readonly query: string;
  readonly requestId: string;
  readonly client: { readonly id: string } | null;
  readonly accessFacts: unknown;
  readonly sentBody: string | Buffer;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Query parameters whose values are message texts or secrets: never written. */
const HIDDEN_PARAMS = /^(text|msg|message|content|secret|key|apikey|api_key|password|pass|token|signature|sig)$/i;

/**
 * Apache's combined format, so the tools operators point at web logs (GoAccess, logstalgia,
 * awstats) read it unchanged:
 *
 *     host ident user [day/Mon/year:HH:MM:SS +0000] "METHOD path HTTP/1.1" status bytes "referer" "user-agent"
 *
 * `ident` (an identd answer, obsolete) carries the request id and `user` the API client id:
 * both fields exist in the format and the tools skip them. Subscriber numbers in the path and
 * query are masked; values of text and secret parameters are replaced by `***`.
 *
 * Written through SonicBoom (pino's asynchronous file writer): lines gather in memory and go
 * out in large writes off the request path; a second's timer flushes a quiet log, and `close`
 * flushes the rest on drain. The file is opened for append: rotate it with logrotate's
 * `copytruncate`.
 */
export class AccessLog {
  private readonly out: ReturnType<typeof destination>;
  private lastSecond = -1;
  private stamp = '';

  constructor(path: string) {
    this.out = destination({ dest: path, sync: false, minLength: 8 * 1024, maxWrite: 64 * 1024, mkdir: true, append: true });
    this.flusher = setInterval(flushSoon, 1000, this.out);
    this.flusher.unref();
  }

  private readonly flusher: NodeJS.Timeout;

  record(r: AccessRecord, status: number): void {
    const f = r.accessFacts as AccessFacts | null;
    if (f === null) return;
    const body = r.sentBody;
    const bytes = status === 499 ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    const target = r.query === '' ? r.url : `${r.url}?${hideParams(r.query)}`;
    this.out.write(
      `${f.host} ${r.requestId || '-'} ${r.client?.id ?? '-'} [${this.time(f.at)}] "${r.method.toUpperCase()} ${quoted(maskNumbersIn(target))} HTTP/1.1" ` +
        `${status} ${bytes === 0 ? '-' : bytes} "${quoted(f.referer) || '-'}" "${quoted(f.userAgent) || '-'}"\n`,
    );
  }

  close(): void {
    clearInterval(this.flusher);
    try {
      this.out.flushSync();
    } catch {
      // Nothing buffered, or the write is in flight: end() finishes it.
    }
    this.out.end();
  }

  /** `07/Dec/2026:19:55:47 +0000`, made once per second. */
  private time(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.lastSecond) {
      const d = new Date(second * 1000);
      this.stamp = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
      this.lastSecond = second;
    }
    return this.stamp;
  }
}

function flushSoon(out: ReturnType<typeof destination>): void {
  // flush() throws while a write is in flight (nothing to do then: it drains itself).
  try {
    out.flush();
  } catch {
    // in flight
  }
}

function pad(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** `text=CHECKIN%204321&from=254…` → `text=***&from=254…` (numbers are masked after). */
function hideParams(query: string): string {
  if (!/(?:^|&)[^=&]*(?:text|msg|message|content|secret|key|pass|token|sig)/i.test(query)) return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      return HIDDEN_PARAMS.test(decodeName(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=***` : pair;
    })
    .join('&');
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** As Apache escapes: quotes, backslashes and control characters become `\"`, `\\`, `\xHH`. */
function quoted(s: string): string {
  if (!/["\\\x00-\x1f\x7f-\uffff]/.test(s)) return s;
  return s.replace(/["\\]|[\x00-\x1f\x7f-\uffff]/g, (c) => (c === '"' || c === '\\' ? '\\' + c : [...Buffer.from(c)].map((b) => '\\x' + b.toString(16).padStart(2, '0')).join('')));
}
