import { forceEvent, type ForceEvent } from './events/index.ts';
import { checkContext, type ReceiptContext } from './context-rules.ts';
import { pathOf, refusalFromIssues, type Refusal } from './refusal.ts';
import { redactionsFromIssues, type Redaction } from './redact.ts';

/** A refusal says, too, where the value held personal data or fields never read: what redactValue masks. */
export type ParseResult = { ok: true; event: ForceEvent } | { ok: false; refusal: Refusal; redactions?: Redaction[] };

/** A lone UTF-16 surrogate (JSON lets `\ud800` through): not text at all, and PostgreSQL refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string or key that is not well-formed Unicode, if any. */
function illFormed(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : null;
  if (typeof value !== 'object' || value === null || depth > 64) return null;
  for (const [k, v] of Object.entries(value)) {
    if (LONE_SURROGATE.test(k)) return path;
    const found = illFormed(v, [...path, k], depth + 1);
    if (found) return found;
  }
  return null;
}

/** Applies the whole stateless contract of events.md to one decoded JSON value. Pure. */
export function parseEvent(value: unknown, ctx: ReceiptContext): ParseResult {
  const bad = illFormed(value);
  if (bad) {
    const at = pathOf(bad) || 'event';
    return { ok: false, refusal: { code: `${at}.invalid-unicode`, message: `${at}: text that is not well-formed Unicode (a lone surrogate such as \\ud800)` } };
  }
  const parsed = forceEvent.safeParse(value, { reportInput: true });
  if (!parsed.success) return { ok: false, refusal: refusalFromIssues(parsed.error.issues), redactions: redactionsFromIssues(parsed.error.issues, value) };
  const refusal = checkContext(parsed.data, ctx);
  return refusal ? { ok: false, refusal } : { ok: true, event: parsed.data };
}
