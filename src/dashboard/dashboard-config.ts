import { z } from 'zod';

/** The live dashboard (`/dashboard`): a static page fed by a WebSocket, admin key required. */
export const dashboardConfigSchema = z
  .object({
    /** Serve `/dashboard` and its feed `/dashboard/ws`. */
    enabled: z.boolean().default(true),
    /** Top venues are counted over this many recent minutes of `stats_minute`. */
    topVenuesMinutes: z.number().int().min(1).max(1440).default(10),
    /** How many top venues the feed carries. */
    topVenues: z.number().int().min(1).max(50).default(10),
  })
  .strict();

export type DashboardConfig = z.output<typeof dashboardConfigSchema>;
