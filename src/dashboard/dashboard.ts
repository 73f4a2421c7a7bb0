import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { ApiKeyAuth } from '../gateway/auth.js';
import { route, type Route } from '../gateway/route.js';
import type { DashboardFeed } from './dashboard-feed.js';

/** Read from the source tree (it ships with the package), like the Lua scripts: no build step. */
const PAGE_FILE = fileURLToPath(new URL('../../src/dashboard/dashboard.html', import.meta.url));

const TOPIC = 'dashboard';
/** A socket that has not sent an admin key by then is closed. */
const AUTH_WINDOW_MS = 10_000;

interface Viewer {
  authed: boolean;
  openedAt: number;
}

/**
 * `/dashboard`: one static page (public: it holds no figures) and its feed, a uWS WebSocket
 * at `/dashboard/ws`. The page asks the operator for an admin key and sends it as the first
 * WebSocket message, so the key never appears in a URL (access logs, proxies, history). Only
 * then is the socket subscribed to the feed. Once a second the feed's figures are published
 * to every viewer at once (uWS `publish`): the figures are gathered once per period whatever
 * the number of viewers, and not at all while nobody watches.
 */
export class Dashboard {
  private app: TemplatedApp | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly waiting = new Set<WebSocket<Viewer>>();
  private last: string | null = null;
  private ticking = false;
  private readonly page: string;

  constructor(
    private readonly feed: DashboardFeed,
    private readonly auth: ApiKeyAuth,
  ) {
    this.page = readFileSync(PAGE_FILE, 'utf8');
  }

  get routes(): Route[] {
    return [route('get', '/dashboard', (ctx) => void ctx.send(200, this.page, 'text/html; charset=utf-8', PAGE_HEADERS), { auth: 'none', unlimited: true })];
  }

  /** Adds the WebSocket route to the server's uWS app and starts the once-a-second period. */
  attach(app: TemplatedApp): void {
    this.app = app;
    app.ws<Viewer>('/dashboard/ws', {
      maxPayloadLength: 1024,
      idleTimeout: 60,
      sendPingsAutomatically: true,
      // A viewer that stops reading is dropped, not buffered for.
      maxBackpressure: 256 * 1024,
      closeOnBackpressureLimit: 1,
      upgrade: (res, req, context) => {
        res.upgrade<Viewer>(
          { authed: false, openedAt: Date.now() },
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => void this.waiting.add(ws),
      message: (ws, message) => this.authenticate(ws, Buffer.from(message).toString()),
      close: (ws) => void this.waiting.delete(ws),
    });
    this.timer = setInterval(onTick, 1000, this);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** @internal the period: figures, then one publish to all viewers. */
  async tick(): Promise<void> {
    if (this.ticking || this.app === null) return;
    this.ticking = true;
    try {
      const now = Date.now();
      for (const ws of this.waiting) if (now - ws.getUserData().openedAt > AUTH_WINDOW_MS) ws.end(4401, 'send an admin key first');
      const watched = this.app.numSubscribers(TOPIC) > 0;
      const snapshot = await this.feed.tick(watched);
      if (snapshot !== null && this.app !== null) {
        this.last = JSON.stringify({ type: 'snapshot', ...snapshot });
        this.app.publish(TOPIC, this.last);
      }
    } finally {
      this.ticking = false;
    }
  }

  private authenticate(ws: WebSocket<Viewer>, text: string): void {
    const viewer = ws.getUserData();
    if (viewer.authed) return;
    let key: unknown;
    try {
      key = (JSON.parse(text) as { key?: unknown }).key;
    } catch {
      key = undefined;
    }
    const client = typeof key === 'string' ? this.auth.authenticate(key) : null;
    if (client === null || client.role !== 'admin') {
      ws.end(4403, 'an admin API key is required');
      return;
    }
    viewer.authed = true;
    this.waiting.delete(ws);
    ws.subscribe(TOPIC);
    ws.send(JSON.stringify({ type: 'hello', client: client.id }));
    if (this.last !== null) ws.send(this.last);
  }
}

/** The page runs only its own inline script and talks only to its own origin. */
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

function onTick(d: Dashboard): void {
  void d.tick();
}
