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
export function personalDataInReference(value: string): PersonalDataKind | null {
  const compact = value.replace(/[\s()-]/g, '');
  if (/^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(value)) return 'email';
  if (UK_PHONE_DIGITS.test(compact.replace(/^\+/, ''))) return 'phone';
  if (/^[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]$/i.test(compact)) return 'ni-number';
  if (/^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$/i.test(value)) return 'postcode';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) || /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/.test(value)) return 'date-of-birth';
  // Pseudonyms carry digits; a reference of letters alone reads as a name (Smith, jane.doe).
  if (!/\d/.test(value)) return 'name';
  return null;
}

const LOCAL_PART = /[A-Za-z0-9._%+-]/;
const DOMAIN_PART = /[A-Za-z0-9.-]/;

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
      if (/[A-Za-z]/.test(c)) letters += 1;
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
  emailSpans(text, spans, true);
  return spans.length > 0;
}

// Each pattern's repetitions are bounded, or stop at a character the next match cannot start
// with, so every one runs in time linear in the text. A match is the span masked: a titled name
// takes up to three more capitalised words, a date of birth the date after its label.
const TEXT_NI = /\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g;
const TEXT_POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b/g;
const TEXT_DOB = /\b(?:d\.?o\.?b\b\.?|date of birth|born(?: on)?)[\s:]{0,8}\d[\w/.-]{0,10}(?:,? [\w/.-]{1,10}){0,2}/gi;
const TEXT_TITLED_NAME = /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? {1,4}[A-Z][a-z]+(?:[ -][A-Z][A-Za-z'-]{0,30}){0,3}/g;

function patternSpans(text: string, pattern: RegExp, kind: PersonalDataKind, spans: Span[], first: boolean, accept?: (m: string) => boolean): void {
  for (const m of text.matchAll(pattern)) {
    if (accept && !accept(m[0])) continue;
    spans.push({ start: m.index, end: m.index + m[0].length, kind });
    if (first) return;
  }
}

/**
 * UK telephone numbers: the groups of digits in a text, joined while no more than three spaces,
 * brackets or hyphens part them; any consecutive groups whose digits read as one number are
 * masked from the first to the last, so a number beside other figures (`1 07700 900123`, or two
 * numbers in a row) is found. Each group starts at most twelve digits' worth of joins: linear.
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
  for (let i = 0; i < starts.length; i += 1) {
    // A UK number starts 0, 44 or +44.
    const lead = text[starts[i]!];
    if (lead !== '0' && lead !== '4' && lead !== '+') continue;
    let count = 0;
    for (let j = i; j < starts.length; j += 1) {
      if (j > i && !joins(text, ends[j - 1]!, starts[j]!)) break;
      count += ends[j]! - starts[j]!;
      if (count > 13) break;
      if (count < 10) continue;
      const digits = text.slice(starts[i], ends[j]).replace(/\D/g, '');
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

/** Whether two groups of digits, `from` to `to` apart, may be one number: up to three spaces, brackets or hyphens between. */
function joins(text: string, from: number, to: number): boolean {
  if (to - from > 3 || text[to] === '+') return false;
  for (let k = from; k < to; k += 1) if (!' \t()-'.includes(text[k]!)) return false;
  return true;
}

const detectors: readonly ((text: string, spans: Span[], first: boolean) => void)[] = [
  emailSpans,
  phoneSpans,
  (t, s, f) => patternSpans(t, TEXT_NI, 'ni-number', s, f),
  (t, s, f) => patternSpans(t, TEXT_POSTCODE, 'postcode', s, f),
  (t, s, f) => patternSpans(t, TEXT_DOB, 'date-of-birth', s, f),
  (t, s, f) => patternSpans(t, TEXT_TITLED_NAME, 'name', s, f),
];

/** Every stretch of a text that reads as personal data, in no particular order (spans may overlap). */
export function personalDataSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const detect of detectors) detect(text, spans, false);
  return spans;
}

/** The first kind of personal data found anywhere in a text, or null. */
export function personalDataInText(text: string): PersonalDataKind | null {
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
