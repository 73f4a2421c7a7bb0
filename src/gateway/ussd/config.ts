import { z } from 'zod';
import { LANGUAGES } from './catalog/keys.js';
import { DIALECT_NAMES } from './vendors/index.js';

const positiveInt = z.number().int().positive();

/**
 * Who may call a dialect's route. Both checks apply when both are set; with neither, the
 * route is open to any source — accepted only when the gateway listens on loopback, or
 * with `open: true` (see `openRouteProblems`; the example config opens routes on loopback
 * only, through `allowFrom`).
 */
export const channelAuthSchema = z
  .object({
    /** @defaultValue true */
    enabled: z.boolean().default(true),
    /** Source addresses allowed to call (exact IPv4/IPv6 or CIDR, e.g. `10.0.0.0/8`). Empty = any. */
    allowFrom: z.array(z.string().min(1)).default([]),
    /** Shared secret the vendor must present; unset = no secret required. */
    secret: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Header carrying the secret. @defaultValue `x-hopgate-secret` */
    secretHeader: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, 'must be a lower-case header name')
      .default('x-hopgate-secret'),
    /** Query/form parameter carrying the secret, for vendors that cannot set headers. */
    secretParam: z.string().regex(/^[A-Za-z0-9_]{1,64}$/).optional(),
    /**
     * Accept this route with neither `allowFrom` nor `secret` on a host beyond loopback
     * (e.g. behind a proxy that does the checking). @defaultValue false
     */
    open: z.boolean().default(false),
  })
  .strict();

export type ChannelAuth = z.output<typeof channelAuthSchema>;

const serviceCode = z.string().regex(/^\*[0-9]+(\*[0-9]+)*#$/, 'must look like *384# or *384*12#');

/** A dialect: its access rule, and the code subscribers dial through it if not `ussd.serviceCode`. */
export const ussdVendorSchema = channelAuthSchema
  .extend({
    /** The full code as dialled through this aggregator (a shared code's channel included). */
    serviceCode: serviceCode.optional(),
    /**
     * Country code of the telco behind this aggregator, when not the site's
     * `defaultCountryCode` (a site serving a neighbouring country's telco): numbers it sends
     * without a plus are read in that country. @defaultValue the site's `defaultCountryCode`
     */
    countryCode: z.string().regex(/^[1-9][0-9]{0,2}$/, 'must be 1–3 digits').optional(),
  })
  .strict();

export type UssdVendorConfig = z.output<typeof ussdVendorSchema>;

const vendorShape = Object.fromEntries(DIALECT_NAMES.map((n) => [n, ussdVendorSchema.prefault({})])) as Record<
  string,
  z.ZodPrefault<typeof ussdVendorSchema>
>;

export const ussdConfigSchema = z
  .object({
    /**
     * The full code subscribers dial, e.g. `*384#` (with a shared code's channel:
     * `*384*55#`); a suffix `*<venue>#` is a dial-through check-in.
     */
    serviceCode: serviceCode.default('*384#'),
    /** Idle lifetime of a session in `redis.local`. @defaultValue 180 */
    sessionTtlSec: positiveInt.max(3600).default(180),
    /**
     * Reply deadline per hop; when near, the subscriber gets a polite "busy" END screen
     * instead of a telco timeout. @defaultValue 150
     */
    deadlineMs: positiveInt.max(10_000).default(150),
    /** Same input again within this window = a resent hop (vendors without hop counters). @defaultValue 5000 */
    resendWindowMs: z.number().int().min(0).max(60_000).default(5000),
    /** @defaultValue `en` */
    defaultLanguage: z.enum(LANGUAGES).default('en'),
    /**
     * Characters per screen: the USSD standard allows 182 GSM-7 septets, or 80 characters
     * when a screen needs UCS-2; many operators advise 160. The catalog is checked at 182
     * and at 160 GSM-7 (and 80 UCS-2); below that, long fixed texts may be cut.
     */
    screenLimits: z
      .object({
        gsm7: z.number().int().min(120).max(182).default(182),
        ucs2: z.number().int().min(60).max(80).default(80),
      })
      .strict()
      .prefault({}),
    /** Per-dialect access rules, keyed by dialect name. */
    vendors: z.object(vendorShape).strict().prefault({}),
  })
  .strict();

export const smsConfigSchema = z
  .object({
    /** Access rules of `GET /sms/kannel`. */
    kannel: channelAuthSchema.prefault({}),
    /** Reply deadline; past it the reply says "busy, try again". @defaultValue 1000 */
    deadlineMs: positiveInt.max(30_000).default(1000),
  })
  .strict();

export type UssdConfig = z.output<typeof ussdConfigSchema>;
export type SmsConfig = z.output<typeof smsConfigSchema>;

/**
 * Routes that anyone who can reach the gateway could call: enabled, with neither an
 * allow-list nor a secret, on a listening address beyond loopback, and not marked
 * `open: true`. Start-up refuses them, so a site cannot go live open by leaving a dialect
 * out of its config.
 */
export function openRouteProblems(host: string, ussd: UssdConfig, sms: SmsConfig): Array<{ path: string[]; message: string }> {
  if (isLoopbackHost(host)) return [];
  const routes: Array<[string[], ChannelAuth]> = [
    ...Object.entries(ussd.vendors).map(([name, rule]): [string[], ChannelAuth] => [['ussd', 'vendors', name], rule]),
    [['sms', 'kannel'], sms.kannel],
  ];
  return routes
    .filter(([, r]) => r.enabled && !r.open && r.allowFrom.length === 0 && r.secret === undefined)
    .map(([path]) => ({ path, message: `open to any source on ${host} (set allowFrom and/or secret, enabled: false, or open: true to accept it)` }));
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || /^::ffff:127\./i.test(host);
}
