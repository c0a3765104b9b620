import { z } from 'zod';
import { businessDate, eventIdField, forceId } from './primitives.ts';

/** The fields every event carries (events.md, "Envelope"). `type` and `payload` are fixed per event type. */
export const envelopeFields = {
  eventId: eventIdField,
  schemaVersion: z.literal(1),
  force: forceId,
  occurredAt: businessDate,
  producedAt: z.iso.datetime({ offset: true }),
};
