import { z } from 'zod';
import { forceIdTuple } from './reference.ts';
import { personalDataInReference, personalDataInText, personalDataMessage } from './personal-data.ts';

/** First day any event may describe (events.md): the start of the 2015/16 financial year. */
export const EARLIEST_DATE = '2015-04-01';

/** A calendar date `YYYY-MM-DD` (leap years checked). Bounds depend on receipt time: see context-rules.ts. */
export const businessDate = z.iso.date();

/** A calendar month `YYYY-MM`; bounds in context-rules.ts. */
export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');

/** A financial half-year `YYYY-H1` or `YYYY-H2`; bounds in context-rules.ts. */
export const halfYear = z.string().regex(/^\d{4}-H[12]$/, 'a half-year such as 2025-H1');

/**
 * An opaque, force-generated pseudonym. The personal-data check runs first so that an email or a
 * name gets its own rule code (`….personal-data.email`) rather than a generic `….invalid`.
 */
export const opaqueRef = z.string()
  .check((ctx) => {
    // Longer than any reference may be: refused below for that, before any pattern reads it.
    if (ctx.value.length > 64) return;
    const kind = personalDataInReference(ctx.value);
    if (kind) ctx.issues.push({ code: 'custom', input: ctx.value, message: personalDataMessage(kind, 'reference'), params: { rule: `personal-data.${kind}` } });
  })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'an opaque reference of 1-64 letters, digits or . _ : / -');

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Plain text of at most `max` characters, with no control characters and no personal data. */
export function freeText(max: number) {
  return z.string()
    .max(max)
    .refine((v) => !CONTROL_CHARACTERS.test(v), 'plain text: no control characters')
    .check((ctx) => {
      // zod runs this even when .max has failed: the size limit comes first, no pattern reads more.
      if (ctx.value.length > max) return;
      const kind = personalDataInText(ctx.value);
      if (kind) ctx.issues.push({ code: 'custom', input: ctx.value, message: personalDataMessage(kind, 'text'), params: { rule: `personal-data.${kind}` } });
    });
}

export const forceId = z.enum(forceIdTuple);

/** A UUID, kept in lower case: `3F2B…` and `3f2b…` are one event, and sort the same everywhere. */
export const eventIdField = z.uuid().toLowerCase();
