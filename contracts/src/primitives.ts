import { z } from 'zod';
import { forceIdTuple } from './reference.ts';

/** First day any event may describe (events.md): the start of the 2015/16 financial year. */
export const EARLIEST_DATE = '2015-04-01';

/** A calendar date `YYYY-MM-DD` (leap years checked). Bounds depend on receipt time: see context-rules.ts. */
export const businessDate = z.iso.date();

/** An opaque, force-generated pseudonym. Deliberately narrow: no spaces, no `@`, nothing that reads as prose. */
export const opaqueRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'an opaque reference of 1-64 letters, digits or . _ : / -');

export const forceId = z.enum(forceIdTuple);
