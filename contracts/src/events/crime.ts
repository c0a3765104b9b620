// Crime events (events.md, "Crime"): KPIs 5.1 to 5.4, 7.1, 7.2, 8.1.
import { z } from 'zod';
import { offenceGroupIdTuple, outcomeCodeTuple } from '../reference.ts';
import { ageBands, ethnicities, victimSexes } from '../vocabulary.ts';
import { opaqueRef } from '../primitives.ts';

export const offenceGroup = z.enum(offenceGroupIdTuple);
const hoOffenceCode = z.string().regex(/^[0-9]{1,3}[A-Z]{0,2}$/, 'a Home Office offence code such as 19C');
export const outcomeCode = z.enum(outcomeCodeTuple);

export const victim = z.strictObject({
  sex: z.enum(victimSexes),
  ageBand: z.enum(ageBands),
  ethnicity: z.enum(ethnicities),
});

export const crimeRecordedPayload = z.strictObject({
  crimeRef: opaqueRef,
  offenceGroup,
  hoOffenceCode: hoOffenceCode.optional(),
  domesticAbuse: z.boolean(),
  victim,
});

export const crimeReclassifiedPayload = z.strictObject({ crimeRef: opaqueRef, offenceGroup, hoOffenceCode: hoOffenceCode.optional() });

export const crimeCancelledPayload = z.strictObject({ crimeRef: opaqueRef, reason: z.enum(['transferred', 'no-crime', 'duplicate', 'other']) });

export const outcomeAssignedPayload = z.strictObject({ crimeRef: opaqueRef, outcomeCode });

export const suspectPayload = z.strictObject({ crimeRef: opaqueRef, suspectRef: opaqueRef });
