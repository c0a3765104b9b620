import { forceEvent, type ForceEvent } from './events/index.ts';
import { checkContext, type ReceiptContext } from './context-rules.ts';
import { pathOf, refusalFromIssues, type Refusal } from './refusal.ts';
import { redactionsFromIssues, type Redaction } from './redact.ts';

/** A refusal says, too, where the value held personal data or fields never read: what redactValue masks. */
export type ParseResult = { ok: true; event: ForceEvent } | { ok: false; refusal: Refusal; redactions?: Redaction[] };

/** A lone UTF-16 surrogate (JSON lets `\ud800` through): not text at all, and PostgreSQL refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * More fields and items than any event has (a return: 50 documents of 3 fields, 100 measures):
 * refused before the contract reads them, so one line cannot cost more than a few milliseconds.
 */
export const MAX_FIELDS = 1_000;

/** The path of the first string or key that is not well-formed Unicode, if any; and how many fields and items there are (up to just past MAX_FIELDS). */
function survey(value: unknown): { illFormed: PropertyKey[] | null; fields: number } {
  let fields = 0;
  // The path is built on the way back out, only when something is found: every event passes here.
  const walk = (v: unknown, depth: number): PropertyKey[] | null => {
    if (typeof v === 'string') return LONE_SURROGATE.test(v) ? [] : null;
    if (typeof v !== 'object' || v === null || depth > 64) return null;
    for (const [k, item] of Object.entries(v)) {
      if (++fields > MAX_FIELDS) return null;
      if (LONE_SURROGATE.test(k)) return [];
      const found = walk(item, depth + 1);
      if (found) return [Array.isArray(v) ? Number(k) : k, ...found];
    }
    return null;
  };
  return { illFormed: walk(value, 0), fields };
}

/** Applies the whole stateless contract of events.md to one decoded JSON value. Pure. */
export function parseEvent(value: unknown, ctx: ReceiptContext): ParseResult {
  const { illFormed, fields } = survey(value);
  if (fields > MAX_FIELDS) {
    return { ok: false, refusal: { code: 'event.too-many-fields', message: `more than ${MAX_FIELDS} fields and items: no event has so many` }, redactions: [{ path: [], kind: 'unknown-field' }] };
  }
  if (illFormed) {
    const at = pathOf(illFormed) || 'event';
    // What else is wrong with it decides what of it is kept (unknown fields are not).
    const parsed = forceEvent.safeParse(value);
    return {
      ok: false, refusal: { code: `${at}.invalid-unicode`, message: `${at}: text that is not well-formed Unicode (a lone surrogate such as \\ud800)` },
      redactions: [...(parsed.success ? [] : redactionsFromIssues(parsed.error.issues, value)), { path: illFormed, kind: 'invalid' }],
    };
  }
  const parsed = forceEvent.safeParse(value, { reportInput: true });
  if (!parsed.success) return { ok: false, refusal: refusalFromIssues(parsed.error.issues), redactions: redactionsFromIssues(parsed.error.issues, value) };
  const refusal = checkContext(parsed.data, ctx);
  return refusal ? { ok: false, refusal } : { ok: true, event: parsed.data };
}
