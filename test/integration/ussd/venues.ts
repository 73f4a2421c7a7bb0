import { expect } from 'vitest';
import { putVenue, type TestGateway } from '../../helpers/gateway-process.js';

/** The venues every USSD fixture and session test expects (long names on purpose). */
export const USSD_VENUES = [
  { id: 'v-123', code: '123', name: 'Java House', city: 'Nairobi' },
  { id: '4711', name: 'Mama Oliech Fish Restaurant & Bar, Marcus Garvey Road, Kilimani (next to the petrol station)', city: 'Nairobi' },
  { id: 'v-555', code: '555', name: 'Café “Zanzibar” – Old Town Rooftop Terrace and Shisha Lounge', city: 'Mombasa' },
  { id: 'v-777', code: '777', name: 'Closed Corner', city: 'Kisumu', open: false },
] as const;

export async function putUssdVenues(gw: TestGateway): Promise<void> {
  for (const { id, ...v } of USSD_VENUES) expect((await putVenue(gw, id, v)).status).toBe(201);
}
