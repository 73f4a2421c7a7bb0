import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/**
 * Lua scripts live in `scripts/<name>-<numKeys>.lua` (read from the source tree, which ships
 * with the package); `<name>-n.lua` takes a variable number of keys, given first with each
 * call. ioredis' defineCommand loads each once and runs it with EVALSHA.
 */
const SCRIPTS_DIR = fileURLToPath(new URL('../../../src/store/redis/scripts/', import.meta.url));

export function scriptSource(file: string): { lua: string; numberOfKeys?: number } {
  const m = /-(\d+|n)\.lua$/.exec(file);
  if (!m) throw new Error(`script file ${file} must be named <name>-<numKeys>.lua or <name>-n.lua`);
  const lua = readFileSync(SCRIPTS_DIR + file, 'utf8');
  return m[1] === 'n' ? { lua } : { lua, numberOfKeys: Number(m[1]) };
}

export function defineScript(redis: Redis, command: string, file: string): void {
  if (typeof (redis as unknown as Record<string, unknown>)[command] === 'function') return;
  redis.defineCommand(command, scriptSource(file));
}
