// What is kept of a refused line (issue 10): never personal data in clear. Every string and key
// has the stretches that read as personal data masked (`[email]`, `[phone]`, …); a reference the
// contract refused as personal data is replaced whole; the value of a field the contract does not
// know is not kept at all, since nothing has read it. Pure: ingest applies it before a refused
// line goes anywhere (receipt, refused topic, refusals store, raw archive, logs).
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { maskPersonalData, personalDataInText, type PersonalDataKind } from './personal-data.ts';
import { contractFieldNames } from './refusal.ts';

/** A place in a decoded line that the contract found to be, or could not check for, personal data. */
export interface Redaction {
  path: readonly PropertyKey[];
  /** Personal data found there; a field the contract does not have; or a value the contract refused (`invalid`). */
  kind: PersonalDataKind | 'unknown-field' | 'invalid';
}

const ENVELOPE_FIELDS = new Set(['eventId', 'type', 'schemaVersion', 'force', 'occurredAt', 'producedAt', 'payload']);

/** What stands for a value not kept: an unknown field's, or a refused value that could be anything. */
export const NOT_KEPT = '[not kept]';

/** A field name as a contract would spell one (`victimName`, `offence_group`): quoted back; anything else is not. */
const FIELD_NAME = /^[a-z][A-Za-z0-9_]{0,39}$/;
/** A value as the vocabularies and dates are written (`female`, `2025-04-01`, `2025-H1`): kept though refused; anything else is not. */
const VOCABULARY_VALUE = /^(?:[a-z0-9][a-z0-9._:+-]{0,39}|\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?|\d{4}-H[12])$/;

/** The name of a field the contract does not have, as a refusal may quote it. */
export function unknownFieldName(key: string): string {
  return FIELD_NAME.test(key) && !personalDataInText(key) ? key : '[unknown field]';
}

const keyOf = (path: readonly PropertyKey[]) => path.map(String).join('\u0000');

/** The SHA-256 of a line as sent, in hex: how the force finds a refused line in its own system. */
export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A string with its personal data masked. */
export function maskText(text: string): string {
  return maskPersonalData(text).text;
}

/**
 * The eventId a sender gave a refused line, as a receipt and a refusal repeat it: only if it is a
 * UUID (in lower case, as the contract keeps it). Anything else could be anything, and the
 * line's SHA-256 finds it.
 */
export function maskIdentifier(value: string): string | null {
  return UUID.test(value) ? value.toLowerCase() : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A copy of a decoded JSON value fit to keep: strings and keys masked, every place in
 * `redactions` replaced by its kind (or, for an unknown field, by NOT_KEPT).
 */
export function redactValue(value: unknown, redactions: readonly Redaction[] = []): unknown {
  // Where one place has several marks, personal data outranks the rest.
  const marks = new Map<string, Redaction['kind']>();
  for (const r of redactions) {
    const key = keyOf(r.path);
    const had = marks.get(key);
    if (had === undefined || had === 'invalid' || had === 'unknown-field') marks.set(key, r.kind);
  }
  const walk = (v: unknown, path: PropertyKey[]): unknown => {
    const mark = marks.size > 0 ? marks.get(keyOf(path)) : undefined;
    if (mark === 'unknown-field') return NOT_KEPT;
    // A refused value is kept only if it cannot be personal data: a vocabulary word or a date, a
    // small number, a boolean or null. A list or an object where a value was due is not kept.
    if (mark === 'invalid') {
      if (typeof v === 'string') return VOCABULARY_VALUE.test(v) && !personalDataInText(v) ? v : NOT_KEPT;
      if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) < 1e6 ? v : NOT_KEPT;
      if (typeof v === 'object' && v !== null) return NOT_KEPT;
      return v;
    }
    if (mark && typeof v === 'string') return `[${mark}]`;
    if (typeof v === 'string') return maskText(v);
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      let unknown = 0;
      for (const [k, item] of Object.entries(v)) {
        // An unknown field's name is kept only if it reads as a field name; any other key is masked.
        // The marks find values by the key as sent.
        // A key a refusal points at that is not one of the contract's (a measure's name, say) is
        // the sender's text: replaced too.
        const childMark = marks.get(keyOf([...path, k]));
        const renamed = childMark === 'unknown-field' ? unknownFieldName(k) !== k : childMark !== undefined && !contractFieldNames().has(k);
        const name = renamed ? `[unknown field ${++unknown}]` : maskText(k);
        Object.defineProperty(out, name, { value: walk(item, [...path, k]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  const kept = walk(value, []);
  // Never more kept than a line may hold: a line of many short unknown fields is not kept larger.
  const size = JSON.stringify(kept)?.length ?? 0;
  return size > MAX_KEPT ? `[not kept: ${size} characters once masked]` : kept;
}

/** The most of a refused line kept (characters of JSON): a 64 KiB line at most, masked. */
const MAX_KEPT = 16 * 1024;

/** The places a failed parse found personal data in, and the fields it did not know (so did not read). */
export function redactionsFromIssues(issues: readonly z.core.$ZodIssue[], value: unknown): Redaction[] {
  const out: Redaction[] = [];
  for (const issue of issues) {
    // An event of no known type is read no further than its type: its payload, and any field
    // outside the envelope, were never read, so are not kept; its type is kept only as a word.
    if (issue.code === 'invalid_union' && issue.path.length === 1 && issue.path[0] === 'type' && typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) if (!ENVELOPE_FIELDS.has(key) || key === 'payload') out.push({ path: [key], kind: 'unknown-field' });
      out.push({ path: ['type'], kind: 'invalid' });
    }
    const rule: unknown = issue.code === 'custom' ? issue.params?.rule : undefined;
    if (typeof rule === 'string' && rule.startsWith('personal-data.')) out.push({ path: issue.path, kind: rule.slice('personal-data.'.length) as PersonalDataKind });
    else if (issue.code === 'unrecognized_keys') for (const key of issue.keys) out.push({ path: [...issue.path, key], kind: 'unknown-field' });
    else if (issue.code !== 'invalid_union') out.push({ path: issue.path, kind: 'invalid' });
  }
  return out;
}
