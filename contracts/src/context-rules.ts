// Rules that depend on when and by whom an event was received, not only on its shape.
import { EARLIEST_DATE } from './primitives.ts';
import type { Refusal } from './refusal.ts';
import type { ForceEvent } from './events/index.ts';

/** How far a force system's clock may run ahead of ours (events.md: 5 min skew allowed). */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface ReceiptContext {
  /** When ingest received the batch. */
  receivedAt: Date;
  /** The force the credential belongs to. */
  force: string;
}

const londonFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day in England and Wales at an instant, as `YYYY-MM-DD`: a force's "today". */
export function londonDate(at: Date): string {
  return londonFormat.format(at);
}

/** First day of a half-year `YYYY-H1` (1 April) or `YYYY-H2` (1 October). */
function halfYearStart(period: string): string {
  return `${period.slice(0, 4)}-${period.endsWith('H1') ? '04' : '10'}-01`;
}

/** Dates inside payloads obey the envelope's bounds (events.md): months and half-years that have begun. */
function checkPayloadDates(event: ForceEvent, today: string): Refusal | null {
  if (event.type === 'submission.closed') {
    const m = event.payload.month;
    if (m < EARLIEST_DATE.slice(0, 7)) return { code: 'payload.month.too-early', message: `month ${m} is before ${EARLIEST_DATE.slice(0, 7)}` };
    if (m > today.slice(0, 7)) return { code: 'payload.month.in-future', message: `month ${m} has not begun (today is ${today})` };
    // Everything a force holds for a month can be declared only once the month is over.
    if (m >= event.occurredAt.slice(0, 7)) return { code: 'payload.month.not-ended', message: `month ${m} had not ended on ${event.occurredAt}, the day of the declaration: close a month once it is over` };
  }
  if (event.type === 'return.submitted') {
    const start = halfYearStart(event.payload.period);
    if (start < EARLIEST_DATE) return { code: 'payload.period.too-early', message: `period ${event.payload.period} begins before ${EARLIEST_DATE}` };
    if (start > today) return { code: 'payload.period.in-future', message: `period ${event.payload.period} has not begun (today is ${today})` };
  }
  return null;
}

export function checkContext(event: ForceEvent, ctx: ReceiptContext): Refusal | null {
  if (event.force !== ctx.force) {
    return { code: 'force.not-credential-force', message: `force ${event.force} is not the force of this credential (${ctx.force})` };
  }
  if (event.occurredAt < EARLIEST_DATE) {
    return { code: 'occurredAt.too-early', message: `occurredAt ${event.occurredAt} is before ${EARLIEST_DATE}` };
  }
  const today = londonDate(ctx.receivedAt);
  if (event.occurredAt > today) {
    return { code: 'occurredAt.in-future', message: `occurredAt ${event.occurredAt} is after the day it was received (${today})` };
  }
  if (Date.parse(event.producedAt) > ctx.receivedAt.getTime() + CLOCK_SKEW_MS) {
    return { code: 'producedAt.in-future', message: `producedAt ${event.producedAt} is more than 5 minutes after receipt` };
  }
  return checkPayloadDates(event, today);
}
