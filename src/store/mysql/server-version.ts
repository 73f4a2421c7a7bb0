/**
 * hopgate speaks MariaDB's SQL: the writer reads its reward winners with `INSERT …
 * RETURNING` (MariaDB 10.5), batches join table value constructors (`WITH k AS (VALUES …)`,
 * MariaDB 10.3) and the work table indexes a virtual column. MySQL has neither form, so a
 * wrong server is refused at start-up with its name instead of failing at the first
 * check-in with a syntax error.
 */
export const MIN_MARIADB: readonly [number, number] = [10, 5];

/** Why `version` (the server's `VERSION()`) cannot serve hopgate, or null when it can. */
export function unsupportedServer(version: string): string | null {
  // MariaDB 10+ prefixes `5.5.5-` in its handshake, and proxies may pass that form on.
  const m = /^(?:5\.5\.5-)?(\d+)\.(\d+)\.(\d+)/.exec(version);
  const need = `MariaDB ${MIN_MARIADB.join('.')} or newer`;
  if (!m || !/mariadb/i.test(version)) {
    return `hopgate needs ${need} (it uses INSERT … RETURNING); the server reports version ${JSON.stringify(version)}, which is not MariaDB`;
  }
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < MIN_MARIADB[0] || (major === MIN_MARIADB[0] && minor < MIN_MARIADB[1])) {
    return `hopgate needs ${need} (it uses INSERT … RETURNING); the server is MariaDB ${m[1]}.${m[2]}.${m[3]}`;
  }
  return null;
}

/** The server's `VERSION()`. */
export async function serverVersion(query: (sql: string) => Promise<unknown>): Promise<string> {
  const [rows] = (await query('SELECT VERSION() AS v')) as [Array<{ v: string }>];
  return String(rows[0]?.v ?? '');
}

/** Throws with `unsupportedServer`'s reason when the connected server cannot serve hopgate. */
export async function assertSupportedServer(query: (sql: string) => Promise<unknown>): Promise<void> {
  const reason = unsupportedServer(await serverVersion(query));
  if (reason !== null) throw new Error(reason);
}
