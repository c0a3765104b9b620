// Corrections and completeness (all KPIs).
import { z } from 'zod';
import { eventIdField, freeText, month } from '../primitives.ts';

export const eventRetractedPayload = z.strictObject({ eventId: eventIdField, reason: freeText(500) });

export const datasets = ['crime', 'orders', 'dvds', 'allegations', 'returns'] as const;
export const submissionClosedPayload = z.strictObject({ dataset: z.enum(datasets), month });
