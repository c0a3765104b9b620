import { forceEvent, type ForceEvent } from './events/index.ts';
import { checkContext, type ReceiptContext } from './context-rules.ts';
import { refusalFromIssues, type Refusal } from './refusal.ts';

export type ParseResult = { ok: true; event: ForceEvent } | { ok: false; refusal: Refusal };

/** Applies the whole stateless contract of events.md to one decoded JSON value. Pure. */
export function parseEvent(value: unknown, ctx: ReceiptContext): ParseResult {
  const parsed = forceEvent.safeParse(value, { reportInput: true });
  if (!parsed.success) return { ok: false, refusal: refusalFromIssues(parsed.error.issues) };
  const refusal = checkContext(parsed.data, ctx);
  return refusal ? { ok: false, refusal } : { ok: true, event: parsed.data };
}
