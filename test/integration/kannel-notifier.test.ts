import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { KannelNotifier } from '../../src/notify/kannel-notifier.js';
import { notifyConfigSchema } from '../../src/notify/notify-config.js';

// A Kannel-style sendsms endpoint on loopback that answers as each test scripts it.

type Reply = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server | undefined;
const seen: URL[] = [];

async function kannel(replies: Reply[]): Promise<string> {
  seen.length = 0;
  let n = 0;
  server = createServer((req, res) => {
    seen.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    const reply = replies[Math.min(n++, replies.length - 1)]!;
    reply(req, res);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/cgi-bin/sendsms`;
}

// The timeout is generous except where a timeout is the point: the fake Kannel runs on this
// test's own event loop, and on a busy box an answer it sent could sit unread past 300 ms.
function notifier(url: string, over: Record<string, unknown> = {}): KannelNotifier {
  const cfg = notifyConfigSchema.parse({ sink: { type: 'kannel', url, username: 'hg', password: 'pw', from: 'HOPGATE', timeoutMs: 10_000, retries: 2, ...over } });
  if (cfg.sink.type !== 'kannel') throw new Error('unreachable');
  return new KannelNotifier(cfg.sink);
}

const accepted: Reply = (_q, res) => res.writeHead(202).end('0: Accepted for delivery');
const busy: Reply = (_q, res) => res.writeHead(503).end('3: Queue full');
const refused: Reply = (_q, res) => res.writeHead(403).end('Authorization failed for sendsms');
const silent: Reply = () => {};

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const msg = { key: '1:checkin', msisdn: '+254700000001', text: 'Checked in at Cafe: +10 points.' };

describe('KannelNotifier', () => {
  it('sends the sendsms query with credentials, sender, number and text', async () => {
    const n = notifier(await kannel([accepted]));
    expect(await n.send([msg, { ...msg, key: '2:checkin', msisdn: '+254700000002' }])).toEqual([{ ok: true }, { ok: true }]);
    expect(seen.map((u) => u.searchParams.get('to')).sort()).toEqual(['+254700000001', '+254700000002']);
    expect(Object.fromEntries(seen[0]!.searchParams)).toMatchObject({ username: 'hg', password: 'pw', from: 'HOPGATE', text: msg.text });
    await n.close();
  });

  it('retries a 5xx and succeeds', async () => {
    const n = notifier(await kannel([busy, busy, accepted]));
    expect(await n.send([msg])).toEqual([{ ok: true }]);
    expect(seen).toHaveLength(3);
    await n.close();
  });

  it('gives up after the retries with NOTIFY_HTTP_STATUS, and never retries a 4xx', async () => {
    let n = notifier(await kannel([busy]), { retries: 1 });
    expect(await n.send([msg])).toEqual([{ ok: false, code: 'NOTIFY_HTTP_STATUS', message: 'SMS gateway answered 503', ambiguous: false }]);
    expect(seen).toHaveLength(2);
    await n.close();
    await new Promise<void>((r) => server!.close(() => r()));
    n = notifier(await kannel([refused]));
    expect((await n.send([msg]))[0]).toMatchObject({ ok: false, code: 'NOTIFY_HTTP_STATUS' });
    expect(seen).toHaveLength(1);
    await n.close();
  });

  it('reports a timeout as ambiguous and does not retry it', async () => {
    const n = notifier(await kannel([silent]), { timeoutMs: 300 });
    expect(await n.send([msg])).toEqual([{ ok: false, code: 'NOTIFY_TIMEOUT', message: 'no answer within 300 ms', ambiguous: true }]);
    expect(seen).toHaveLength(1);
    await n.close();
  });

  it('retries a refused connection and then reports NOTIFY_CONNECT, not ambiguous', async () => {
    const url = await kannel([accepted]);
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const n = notifier(url, { retries: 1 });
    const [outcome] = await n.send([msg]);
    expect(outcome).toMatchObject({ ok: false, code: 'NOTIFY_CONNECT', ambiguous: false });
    await n.close();
  });
});
