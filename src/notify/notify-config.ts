import { z } from 'zod';

const positiveInt = z.number().int().positive();

const logSink = z.object({ type: z.literal('log') }).strict();
const fileSink = z
  .object({
    type: z.literal('file'),
    /** JSON lines, one per message, appended. */
    path: z.string().min(1),
  })
  .strict();
const kannelSink = z
  .object({
    type: z.literal('kannel'),
    /** The SMS gateway's send URL, e.g. `http://127.0.0.1:13013/cgi-bin/sendsms`. */
    url: z.string().url(),
    username: z.string().min(1),
    password: z.string(),
    /** Sender id shown to the subscriber. */
    from: z.string().min(1).max(16),
    /** @defaultValue 2000 */
    timeoutMs: positiveInt.max(60_000).default(2000),
    /** Retries after a refused connection or a 5xx, with a short doubling delay. @defaultValue 2 */
    retries: z.number().int().min(0).max(10).default(2),
    /** Messages in flight at once per worker. @defaultValue 16 */
    concurrency: positiveInt.max(256).default(16),
  })
  .strict();

/** `notify:` — where subscriber messages go. Default: the log. */
export const notifyConfigSchema = z
  .object({
    sink: z.discriminatedUnion('type', [logSink, fileSink, kannelSink]).default({ type: 'log' }),
    /**
     * A message claimed for sending but never confirmed (the worker died mid-send) is
     * not sent again once this old: it is marked `uncertain` rather than risk a duplicate.
     * @defaultValue 30000
     */
    claimTimeoutMs: positiveInt.default(30_000),
  })
  .strict();

export type NotifyConfig = z.output<typeof notifyConfigSchema>;
export type NotifySinkConfig = NotifyConfig['sink'];
