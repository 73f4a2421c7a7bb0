import * as m001 from './001-base.js';
import * as m002 from './002-events.js';
import * as m003 from './003-drop-unused-checkin-index.js';
import * as m004 from './004-event-write-path.js';
import * as m005 from './005-rewarded-from-reward-days.js';
import * as m006 from './006-confirmation-claim-on-work-row.js';
import * as m007 from './007-work-due-index.js';
import * as m008 from './008-replication-log.js';
import * as m009 from './009-replicated-profiles.js';

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly up: readonly string[];
}

/** Ordered list of schema migrations. Append only: never edit a migration that shipped. */
export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: 'base', up: m001.up },
  { id: 2, name: 'events', up: m002.up },
  { id: 3, name: 'drop-unused-checkin-index', up: m003.up },
  { id: 4, name: 'event-write-path', up: m004.up },
  { id: 5, name: 'rewarded-from-reward-days', up: m005.up },
  { id: 6, name: 'confirmation-claim-on-work-row', up: m006.up },
  { id: 7, name: 'work-due-index', up: m007.up },
  { id: 8, name: 'replication-log', up: m008.up },
  { id: 9, name: 'replicated-profiles', up: m009.up },
];
