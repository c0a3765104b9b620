// Police-perpetrated VAWG: complaints and conduct matters (KPI 1.1 to 1.3).
import { z } from 'zod';
import { allegationCategoryTuple, allegationOutcomeTuple } from '../reference.ts';
import { opaqueRef } from '../primitives.ts';


export const allegationReceivedPayload = z.strictObject({
  allegationRef: opaqueRef,
  kind: z.enum(['complaint', 'conduct-matter']),
  category: z.enum(allegationCategoryTuple),
  subjectRole: z.enum(['officer', 'staff', 'volunteer']),
});

export const allegationFinalisedPayload = z.strictObject({
  allegationRef: opaqueRef,
  outcome: z.enum(allegationOutcomeTuple),
});
