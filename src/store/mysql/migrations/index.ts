import * as m001 from './001-base.js';

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly up: readonly string[];
}

/** Ordered list of schema migrations. Append only: never edit a migration that shipped. */
export const MIGRATIONS: readonly Migration[] = [{ id: 1, name: 'base', up: m001.up }];
