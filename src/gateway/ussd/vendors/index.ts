import type { UssdDialect } from '../types.js';
import { africastalking } from './africastalking.js';
import { flares } from './flares.js';
import { hubtel } from './hubtel.js';
import { imimobile } from './imimobile.js';
import { truroute } from './truroute.js';

/** Every USSD dialect hopgate speaks; the route is `/ussd/<name>`. Add a dialect here. */
export const DIALECTS: readonly UssdDialect[] = [africastalking, hubtel, flares, truroute, imimobile];

export const DIALECT_NAMES = DIALECTS.map((d) => d.name);

export function dialectByName(name: string): UssdDialect | undefined {
  return DIALECTS.find((d) => d.name === name);
}
