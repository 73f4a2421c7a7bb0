import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

const ENV_PREFIX = 'HOPGATE__';

/**
 * Applies `HOPGATE__MYSQL__PORT=3307`-style overrides: segments separated by `__`, matched
 * case-insensitively against the schema's keys (so `HOPGATE__HTTP__EXCLUSIVEPORT` sets
 * `http.exclusivePort`). Values are parsed as JSON when they parse (numbers, booleans,
 * arrays), else kept as text.
 */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split('__').filter(Boolean);
    let node: Record<string, unknown> = raw;
    let schema: z.ZodType | undefined = configSchema;
    segments.forEach((segment, i) => {
      const known = [...Object.keys(node), ...objectKeys(schema)];
      const key = known.find((k) => k.toLowerCase() === segment.toLowerCase()) ?? camel(segment);
      schema = childSchema(schema, key);
      if (i === segments.length - 1) {
        node[key] = parseEnvValue(value);
      } else {
        if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
    });
  }
  return raw;
}

/** The `HOPGATE__…` variables set in `env` (names only: their values may be secrets). */
export function envOverrideNames(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && env[name] !== undefined)
    .sort();
}

/** Unwraps default/prefault/optional wrappers down to an object schema's shape. */
function shapeOf(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  let s = schema as { def?: { type?: string; innerType?: z.ZodType }; shape?: Record<string, z.ZodType> } | undefined;
  while (s?.def && (s.def.type === 'default' || s.def.type === 'prefault' || s.def.type === 'optional')) {
    s = s.def.innerType as typeof s;
  }
  return s?.def?.type === 'object' ? s.shape : undefined;
}

function objectKeys(schema: z.ZodType | undefined): string[] {
  return Object.keys(shapeOf(schema) ?? {});
}

function childSchema(schema: z.ZodType | undefined, key: string): z.ZodType | undefined {
  return shapeOf(schema)?.[key];
}

function camel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseEnvValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Validates a raw object; errors name the key (`mysql.port: …`). Returns a deep-frozen config. */
export function parseConfig(raw: unknown): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return deepFreeze(result.data);
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`cannot read ${file}: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError([`${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([`${file} must contain a mapping at the top level`]);
  }
  return parseConfig(applyEnvOverrides(raw as Record<string, unknown>, env));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
