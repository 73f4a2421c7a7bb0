/** What `hopgate config check` prints in place of a secret. */
export const MASK = '********';

/**
 * Keys whose values are secrets wherever they appear: `mysql.password`,
 * `redis.*.password`, `notify.kannel.password`, `peers[].secret`, the USSD/SMS shared
 * `secret`s, and any future `*Password`/`*Secret`/`*Token`. Not `secretHeader` or
 * `secretParam` (the names of where a secret travels) nor `auth.apiKeys[].sha256` (hashes
 * of random keys: they reveal nothing and operators compare them).
 */
const SECRET_KEY = /^(password|secret|token|passphrase|privateKey)$|(Password|Secret|Token)$/;

/** `scheme://user:password@host` — the password part of a URL. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/:@]*:)[^/@]*@/i;

/**
 * A deep copy of a config with every secret replaced by `MASK` (an empty one stays empty:
 * "no password" is worth seeing) and the password of any URL masked, so the output can be
 * pasted into a ticket.
 */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  if (typeof value === 'string') {
    if (SECRET_KEY.test(key)) return value === '' ? '' : MASK;
    return value.replace(URL_PASSWORD, `$1${MASK}@`);
  }
  return value;
}
