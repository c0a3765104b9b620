// Returns for the qualitative KPIs (2.1, 3.1, 4.1, 9.1, 10.1, 10.2).
import { z } from 'zod';
import { freeText, halfYear } from '../primitives.ts';
import { personalDataInText } from '../personal-data.ts';

export const qualitativeKpis = ['2.1', '3.1', '4.1', '9.1', '10.1', '10.2'] as const;

/** Documents are uploaded first (POST /v1/documents) and cited here by their digest. */
export const documentReference = z.strictObject({
  name: freeText(200).regex(/^[A-Za-z0-9][A-Za-z0-9 ._()-]*\.(pdf|odt|docx|csv)$/i, 'a file name ending .pdf, .odt, .docx or .csv'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest in lower-case hex'),
  bytes: z.number().int().min(1).max(25 * 1024 * 1024),
});

export const returnSubmittedPayload = z.strictObject({
  kpi: z.enum(qualitativeKpis),
  period: halfYear,
  summary: freeText(4000),
  // A measure's name is read as text too: a name or a number in it is personal data. 100 at most.
  measures: z.record(
    z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a measure name in lower-case kebab-case')
      .refine((name) => personalDataInText(name.replaceAll('-', ' ')) === null, 'a measure name that reads as personal data'),
    z.number(),
  ).refine((m) => Object.keys(m).length <= 100, 'at most 100 measures').optional(),
  documents: z.array(documentReference).max(50),
});
