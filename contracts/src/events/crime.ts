import { z } from 'zod';
import { offenceGroupIdTuple } from '../reference.ts';
import { ageBands, ethnicities, victimSexes } from '../vocabulary.ts';
import { opaqueRef } from '../primitives.ts';

export const offenceGroup = z.enum(offenceGroupIdTuple);

export const victim = z.strictObject({
  sex: z.enum(victimSexes),
  ageBand: z.enum(ageBands),
  ethnicity: z.enum(ethnicities),
});

export const crimeRecordedPayload = z.strictObject({
  crimeRef: opaqueRef,
  offenceGroup,
  hoOffenceCode: z.string().regex(/^[0-9]{1,3}[A-Z]{0,2}$/, 'a Home Office offence code such as 19C').optional(),
  domesticAbuse: z.boolean(),
  victim,
});
