// Corrections and completeness (all KPIs).
import { z } from 'zod';
import { freeText, month } from '../primitives.ts';

export const eventRetractedPayload = z.strictObject({ eventId: z.uuid(), reason: freeText(500) });

export const datasets = ['crime', 'orders', 'dvds', 'allegations', 'returns'] as const;
export const submissionClosedPayload = z.strictObject({ dataset: z.enum(datasets), month });
