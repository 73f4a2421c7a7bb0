import * as m001 from './001-base.js';
import * as m002 from './002-events.js';

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly up: readonly string[];
}

/** Ordered list of schema migrations. Append only: never edit a migration that shipped. */
export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: 'base', up: m001.up },
  { id: 2, name: 'events', up: m002.up },
];
