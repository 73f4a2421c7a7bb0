import type { Metrics } from '../observability/metrics.js';
import { AccessLog } from '../observability/access-log.js';
import type { ServerDeps } from './server.js';
import { RequestTracker } from './request-tracking.js';

export interface RequestHooks extends Pick<ServerDeps, 'onAccepted' | 'onFinished'> {
  /** Flushes and closes the access log (after the server stopped). */
  close(): void;
}

/** Per-request bookkeeping the server calls: request ids, metrics, the optional access log. */
export function requestHooks(trustedProxies: readonly string[], accessLogPath: string | undefined, metrics: Metrics): RequestHooks {
  const accessLog = accessLogPath === undefined ? null : new AccessLog(accessLogPath);
  const tracker = new RequestTracker(trustedProxies, accessLog !== null);
  return {
    onAccepted: (ctx, req, res) => tracker.accepted(ctx, req, res),
    onFinished:
      accessLog === null
        ? (route, status, seconds) => metrics.observeRequest(route, status, seconds)
        : (route, status, seconds, ctx) => {
            metrics.observeRequest(route, status, seconds);
            accessLog.record(ctx, status);
          },
    close: () => accessLog?.close(),
  };
}
