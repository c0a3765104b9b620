// Rules that depend on when and by whom an event was received, not only on its shape.
import { EARLIEST_DATE } from './primitives.ts';
import type { Refusal } from './refusal.ts';

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

interface Envelope {
  force: string;
  occurredAt: string;
  producedAt: string;
}

export function checkContext(event: Envelope, ctx: ReceiptContext): Refusal | null {
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
  return null;
}
