import { z } from 'zod';
import { envelopeFields } from '../envelope.ts';
import { crimeRecordedPayload } from './crime.ts';

function eventOf<T extends string, P extends z.ZodType>(type: T, payload: P) {
  return z.strictObject({ ...envelopeFields, type: z.literal(type), payload });
}

export const crimeRecorded = eventOf('crime.recorded', crimeRecordedPayload);

export const forceEvent = z.discriminatedUnion('type', [crimeRecorded]);

export type ForceEvent = z.infer<typeof forceEvent>;
export type EventType = ForceEvent['type'];
export type CrimeRecorded = z.infer<typeof crimeRecorded>;
