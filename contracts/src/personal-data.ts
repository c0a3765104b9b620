// Recognising personal data where none may be (events.md, "No personal data"). Pure, and
// deliberately cautious: a reference is an opaque pseudonym, so one that reads as a name, an
// email, a phone number, a date, a National Insurance number or a postcode is refused; free text
// is searched for the same things, and for titles before names and dates called dates of birth.

export const personalDataKinds = ['email', 'phone', 'ni-number', 'postcode', 'date-of-birth', 'name'] as const;
export type PersonalDataKind = (typeof personalDataKinds)[number];

const describe: Record<PersonalDataKind, string> = {
  email: 'an email address',
  phone: 'a telephone number',
  'ni-number': 'a National Insurance number',
  postcode: 'a postcode',
  'date-of-birth': 'a date of birth',
  name: "a person's name",
};

export function personalDataMessage(kind: PersonalDataKind, where: 'reference' | 'text'): string {
  return where === 'reference'
    ? `the reference looks like ${describe[kind]}: references must be opaque pseudonyms`
    : `the text appears to contain ${describe[kind]}: no personal data may be sent`;
}

const UK_PHONE_DIGITS = /^(?:44\d{9,10}|0\d{9,10})$/;

/** A whole reference that is, or reads as, a person's identifier. */
export function personalDataInReference(raw: string): PersonalDataKind | null {
  const value = fold(raw);
  if (/^[^@\s]+@[^@\s]+\.\p{L}{2,}$/u.test(value)) return 'email';
  // A phone number's separators are many (`07700 900123`, `07700.900.123`, `(0161) 496-0000`); an NI number's, spaces.
  if (UK_PHONE_DIGITS.test(value.replace(/[\s().\/-]/g, '').replace(/^\+/, ''))) return 'phone';
  if (/^[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]$/i.test(value.replace(/\s/g, ''))) return 'ni-number';
  if (/^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$/i.test(value)) return 'postcode';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) || /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/.test(value)) return 'date-of-birth';
  // Pseudonyms carry digits; a reference of letters alone reads as a name (Smith, jane.doe).
  if (!/\d/.test(value)) return 'name';
  return null;
}

const LOCAL_PART = /[\p{L}\p{N}._%+-]/u;
const DOMAIN_PART = /[\p{L}\p{N}.-]/u;

/**
 * The text as the checks read it, one UTF-16 unit for one, so a span found in it is the same span
 * of the original: full-width forms as their ASCII (`０７７００`, `＠`), every kind of space as a
 * space, dashes as a hyphen, and the invisible joiners (zero-width space, word joiner, BOM) as a
 * dot, which joins what they part (`jane\u200b@…` is an address, `07700\u200b900123` a number).
 */
export function fold(text: string): string {
  // Fast path: plain ASCII is read as it is.
  if (!/[^\x00-\x7f]/.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0xa0 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000) out += ' ';
    else if ((c >= 0x2010 && c <= 0x2015) || c === 0x2212 || c === 0xfe63) out += '-';
    else if ((c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff || c === 0xad) out += '.';
    else out += text[i];
  }
  return out;
}

/** Where a kind of personal data sits in a text: characters [start, end). */
export interface Span {
  start: number;
  end: number;
  kind: PersonalDataKind;
}

/**
 * Every email address in a text (local@domain.tld), found in time linear in the text: from each
 * `@`, the local part scanned back no further than the last address's end, and the domain scanned
 * forward only up to the next character a domain cannot hold (an `@` among them), so no stretch
 * is read twice. An unanchored regular expression here took time quadratic in a run without spaces.
 */
function emailSpans(text: string, spans: Span[], first: boolean): void {
  let floor = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at === 0 || !LOCAL_PART.test(text[at - 1]!)) continue;
    let end = at + 1;
    while (end < text.length && DOMAIN_PART.test(text[end]!)) end += 1;
    // The domain: a dot followed by two letters or more, somewhere in it.
    let letters = 0;
    let found = false;
    for (let i = end - 1; i > at + 1 && !found; i -= 1) {
      const c = text[i]!;
      if (/\p{L}/u.test(c)) letters += 1;
      else if (c === '.' && letters >= 2) found = true;
      else letters = 0;
    }
    if (found) {
      let start = at - 1;
      while (start > floor && LOCAL_PART.test(text[start - 1]!)) start -= 1;
      spans.push({ start, end, kind: 'email' });
      if (first) return;
      floor = end;
    }
    at = end - 1;
  }
}

/** Whether a text holds an email address anywhere (linear time: see emailSpans). */
export function containsEmail(text: string): boolean {
  const spans: Span[] = [];
  emailSpans(fold(text), spans, true);
  return spans.length > 0;
}

// Each pattern's repetitions are bounded, or stop at a character the next match cannot start
// with, so every one runs in time linear in the text. A match is the span masked: a titled name
// takes up to three more capitalised words, a date of birth the date after its label.
const TEXT_NI = /\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/gi;
/** Upper case, with or without its space (`SW1A 1AA`, `SW1A1AA`); the inward code's letters exclude C I K M O V. */
const TEXT_POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b/g;
/** A label (DOB, date of birth, born on/in) followed by a date or a year: the label alone is not one. */
const TEXT_DOB = /\b(?:d\.?o\.?b\b\.?|date of birth|born(?: on| in)?)[\s:]{0,8}(?:\d{1,2}(?:st|nd|rd|th)?[\s/.-]{1,3}(?:\d{1,2}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?[\s/.,-]{1,3}\d{2,4}|\d{4}-\d{2}-\d{2}|(?:19|20)\d{2})\b/gi;
/** Words that follow a title without being a name (`Mr and Mrs Smith` is found at `Mrs`). */
const NOT_A_NAME = '(?!(?:and|or|the|of|to|a|an|in|on|at|for|with|from|by|is|was|&)\\b)';
/** Mr, Mrs and Dr in any case, then a name in any case (`MR JOHN SMITH`, `mr smith`, `Dr McDonald`, `Mrs O'Brien`). */
const TEXT_TITLED_NAME = new RegExp(`\\b(?:[Mm][Rr][Ss]?|[Dd][Rr])\\.? {1,4}${NOT_A_NAME}[A-Za-z][A-Za-z'’-]{0,30}(?:[ -][A-Z][A-Za-z'’-]{0,30}){0,3}`, 'g');
/** Titles and ranks that are also words (Miss, Sir, PC, DS…) only as written before a name, capitalised. */
const TEXT_RANKED_NAME = /\b(?:Ms|Miss|Mx|Prof|Sir|Dame|Rev|PC|DC|DS|DI|DCI|Sgt|Insp|Supt)\.? {1,4}[A-Z](?:\.|[A-Za-z'’-]{1,30})?(?:[ -][A-Z](?:\.|[A-Za-z'’-]{1,30})?){0,3}\b/g;

function patternSpans(text: string, pattern: RegExp, kind: PersonalDataKind, spans: Span[], first: boolean): void {
  for (const m of text.matchAll(pattern)) {
    spans.push({ start: m.index, end: m.index + m[0].length, kind });
    if (first) return;
  }
}

/**
 * UK telephone numbers, as people write them: the first group of digits a trunk code (`0` and
 * two digits or more: `020`, `0161`, `07700`, or the whole number) or the country code (`44`,
 * `+44`, `0044`); each later group three digits or more (one to four right after the country
 * code: `+44 20 7946 0000`), parted by one space or hyphen, or a bracket (`(0161) 496 0000`).
 * So a number beside other figures (`1 07700 900123`) is found, and dates and ranges
 * (`2025-04-01 - 2025-09-30`, `18-24 25-34`) are not. Each group starts at most thirteen
 * digits' worth of joins: linear in the text.
 */
function phoneSpans(text: string, spans: Span[], first: boolean): void {
  // Groups of digits (a leading `+` included), as [start, end) pairs, in one pass.
  const starts: number[] = [];
  const ends: number[] = [];
  for (let k = 0; k < text.length; k += 1) {
    const c = text.charCodeAt(k);
    const plus = c === 0x2b && isDigit(text.charCodeAt(k + 1));
    if (!plus && !isDigit(c)) continue;
    starts.push(k);
    k += 1;
    while (k < text.length && isDigit(text.charCodeAt(k))) k += 1;
    ends.push(k);
  }
  const digitsOf = (g: number) => text.slice(starts[g], ends[g]).replace('+', '');
  for (let i = 0; i < starts.length; i += 1) {
    const c = text.charCodeAt(starts[i]!);
    if (c !== 0x30 && c !== 0x34 && c !== 0x2b) continue;
    const lead = digitsOf(i).replace(/^00(?=44)/, '');
    // The country code, alone (`+44`, `0044`) or run into the number (`+447700`).
    const country = lead.startsWith('44');
    if (!country && !(lead.startsWith('0') && lead.length >= 3)) continue;
    let digits = lead;
    let after = country && lead.length === 2;
    for (let j = i; j < starts.length; j += 1) {
      if (j > i) {
        const group = digitsOf(j);
        if (!joins(text, ends[j - 1]!, starts[j]!)) break;
        // The trunk `(0)` written after the country code (`+44 (0)20 7946 0000`) is not dialled.
        if (country && group === '0' && text[starts[j]! - 1] === '(' && text[ends[j]!] === ')') continue;
        if (group.length < (after ? 1 : 3)) break;
        after = false;
        digits += group;
      }
      if (digits.length > 13) break;
      if (UK_PHONE_DIGITS.test(digits)) {
        const start = starts[i]! - (text[starts[i]! - 1] === '(' ? 1 : 0);
        spans.push({ start, end: ends[j]!, kind: 'phone' });
        if (first) return;
        i = j;
        break;
      }
    }
  }
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** Whether two groups of digits may be one number: parted by one space, hyphen, dot or slash, or by a bracket and a space. */
function joins(text: string, from: number, to: number): boolean {
  if (text[to] === '+') return false;
  const gap = text.slice(from, Math.min(to, from + 3));
  return to - from <= 2 && (gap === ' ' || gap === '-' || gap === '.' || gap === '/' || gap === ')' || gap === ') ' || gap === '(' || gap === ' (');
}

const detectors: readonly ((text: string, spans: Span[], first: boolean) => void)[] = [
  emailSpans,
  phoneSpans,
  (t, s, f) => patternSpans(t, TEXT_NI, 'ni-number', s, f),
  (t, s, f) => patternSpans(t, TEXT_POSTCODE, 'postcode', s, f),
  (t, s, f) => patternSpans(t, TEXT_DOB, 'date-of-birth', s, f),
  (t, s, f) => patternSpans(t, TEXT_TITLED_NAME, 'name', s, f),
  (t, s, f) => patternSpans(t, TEXT_RANKED_NAME, 'name', s, f),
];

/** Every stretch of a text that reads as personal data, in no particular order (spans may overlap). */
export function personalDataSpans(raw: string): Span[] {
  const text = fold(raw);
  const spans: Span[] = [];
  for (const detect of detectors) detect(text, spans, false);
  return spans;
}

/** The first kind of personal data found anywhere in a text, or null. */
export function personalDataInText(raw: string): PersonalDataKind | null {
  const text = fold(raw);
  const spans: Span[] = [];
  for (const detect of detectors) {
    detect(text, spans, true);
    if (spans.length > 0) return spans[0]!.kind;
  }
  return null;
}

/**
 * The text with every stretch that reads as personal data replaced by its kind in brackets
 * (`[email]`, `[phone]`, …), overlapping stretches as one; and the kinds replaced.
 */
export function maskPersonalData(text: string): { text: string; kinds: PersonalDataKind[] } {
  const spans = personalDataSpans(text);
  if (spans.length === 0) return { text, kinds: [] };
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kinds = new Set<PersonalDataKind>();
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.end <= at) continue;
    if (s.start >= at) {
      out += text.slice(at, s.start) + `[${s.kind}]`;
      kinds.add(s.kind);
    }
    at = s.end;
  }
  return { text: out + text.slice(at), kinds: [...kinds] };
}
