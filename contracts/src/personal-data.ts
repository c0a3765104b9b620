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

/**
 * An email address somewhere in a text (local@domain.tld), found in time linear in the text: from
 * each `@`, one character of local part before it, and a domain after it scanned only up to the
 * next character a domain cannot hold (an `@` among them), so no stretch is read twice. An
 * unanchored regular expression here took time quadratic in a run without spaces.
 */
export function containsEmail(text: string): boolean {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at === 0 || !LOCAL_PART.test(text[at - 1]!)) continue;
    let end = at + 1;
    while (end < text.length && DOMAIN_PART.test(text[end]!)) end += 1;
    // The domain: a dot followed by two letters or more, somewhere in it.
    let letters = 0;
    for (let i = end - 1; i > at + 1; i -= 1) {
      const c = text[i]!;
      if (/[A-Za-z]/.test(c)) letters += 1;
      else if (c === '.' && letters >= 2) return true;
      else letters = 0;
    }
    at = end - 1;
  }
  return false;
}
const TEXT_NUMBER_RUN = /\+?[\d(][\d\s()-]{8,18}\d/g;
const TEXT_NI = /\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/;
const TEXT_POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b/;
const TEXT_DOB = /\b(?:d\.?o\.?b\b\.?|date of birth|born(?: on)?)[\s:]*\d/i;
const TEXT_TITLED_NAME = /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? +[A-Z][a-z]+/;

/** The first kind of personal data found anywhere in a text, or null. */
export function personalDataInText(text: string): PersonalDataKind | null {
  if (containsEmail(text)) return 'email';
  for (const run of text.match(TEXT_NUMBER_RUN) ?? []) {
    if (UK_PHONE_DIGITS.test(run.replace(/\D/g, ''))) return 'phone';
  }
  if (TEXT_NI.test(text)) return 'ni-number';
  if (TEXT_POSTCODE.test(text)) return 'postcode';
  if (TEXT_DOB.test(text)) return 'date-of-birth';
  if (TEXT_TITLED_NAME.test(text)) return 'name';
  return null;
}
