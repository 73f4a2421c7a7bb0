import { z } from 'zod';

const points = z.number().int().min(0).max(1_000_000);

/** `points:` — the points programme's rules (core/points-rules.ts) and the skipper window. */
export const pointsConfigSchema = z
  .object({
    /** Points for a rewarded check-in (first at that venue that local day). @defaultValue 10 */
    base: points.default(10),
    /** Extra points the first time ever a user is rewarded at a venue. @defaultValue 20 */
    firstVisitBonus: points.default(20),
    /** Extra points per consecutive earlier day with a rewarded check-in anywhere. @defaultValue 5 */
    streakBonusPerDay: points.default(5),
    /** The streak bonus stops growing after this many consecutive earlier days. @defaultValue 6 */
    streakMaxDays: z.number().int().min(0).max(365).default(6),
    /** Extra points when the user is the venue's skipper at the time of the check-in. @defaultValue 5 */
    skipperBonus: points.default(5),
    /** Most points a user earns in one local day; 0 means no cap. @defaultValue 100 */
    dailyCap: points.default(100),
    /** Skipper: most distinct rewarded days at the venue within this many days. @defaultValue 30 */
    skipperWindowDays: z.number().int().min(1).max(366).default(30),
  })
  .strict();

export type PointsConfig = z.output<typeof pointsConfigSchema>;
