// The contract of events.md, rule by rule. Every field of every type gets an event breaking
// exactly that field; the rules that are not about one field's shape get their own cases.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitraryEvent, GENERATED_RECEIVED_AT } from '../src/testing/arbitraries.ts';
import { eventSchemas, eventTypes, parseEvent, type EventType, type ForceEvent } from '../src/index.ts';
import { containsEmail } from '../src/personal-data.ts';

const receivedAt = GENERATED_RECEIVED_AT;
const ctxFor = (event: { force?: unknown } | null) => ({ force: typeof event?.force === 'string' ? event.force : 'kent', receivedAt });
const codeOf = (event: unknown, ctx = ctxFor(event as { force?: unknown } | null)) => {
  const result = parseEvent(event, ctx);
  return result.ok ? null : result.refusal.code;
};
const sample = (type: EventType): ForceEvent => fc.sample(arbitraryEvent(type, 'kent'), { numRuns: 1, seed: 42 })[0]!;
const withPayload = (event: ForceEvent, change: Record<string, unknown>) => ({ ...event, payload: { ...event.payload, ...change } });

describe('every event type', () => {
  it.each(eventTypes)('%s: a generated example is valid', (type) => {
    expect(codeOf(sample(type))).toBeNull();
  });

  it.each(eventTypes)('%s: each payload field missing, of the wrong type, and an unknown field are refused by name', (type) => {
    const event = sample(type);
    const shape = eventSchemas[type].shape.payload.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
    for (const field of Object.keys(shape)) {
      const without = { ...event.payload } as Record<string, unknown>;
      delete without[field];
      const optional = shape[field]!.safeParse(undefined).success;
      expect(codeOf({ ...event, payload: without }), `${type} without ${field}`).toBe(optional ? null : `payload.${field}.missing`);
      expect(codeOf(withPayload(event, { [field]: null })), `${type} with ${field} null`).toBe(`payload.${field}.invalid`);
    }
    expect(codeOf(withPayload(event, { note: 'x' }))).toBe('payload.unknown-field');
  });

  it.each(['eventId', 'type', 'schemaVersion', 'force', 'occurredAt', 'producedAt', 'payload'])('an envelope without %s is refused as missing', (field) => {
    const event = { ...sample('crime.recorded') } as Record<string, unknown>;
    delete event[field];
    expect(codeOf(event, { force: 'kent', receivedAt })).toBe(field === 'type' ? 'type.invalid' : `${field}.missing`);
  });
});

describe('rules beyond the shape of one field', () => {
  const crime = sample('crime.recorded');

  it.each([
    ['eventId.invalid', { eventId: 'not-a-uuid' }],
    ['type.invalid', { type: 'crime.unknown' }],
    ['schemaVersion.invalid', { schemaVersion: 2 }],
    ['force.invalid', { force: 'atlantis' }],
    ['occurredAt.invalid', { occurredAt: '2025-02-30' }],
    ['producedAt.invalid', { producedAt: '2025-05-01T10:00:00' }],
    ['event.unknown-field', { note: 'x' }],
  ])('%s', (code, change) => {
    expect(codeOf({ ...crime, ...change })).toBe(code);
  });

  it('refuses dates before 2015-04-01 or after the day of receipt in England, and production in the future', () => {
    expect(codeOf({ ...crime, occurredAt: '2015-03-31' })).toBe('occurredAt.too-early');
    expect(codeOf({ ...crime, occurredAt: '2015-04-01' })).toBeNull();
    expect(codeOf({ ...crime, occurredAt: '2026-07-01' })).toBe('occurredAt.in-future');
    // 23:30 UTC on 30 June is 00:30 on 1 July in London: the force's today is the 1st.
    expect(codeOf({ ...crime, occurredAt: '2026-07-01' }, { force: 'kent', receivedAt: new Date('2026-06-30T23:30:00Z') })).toBeNull();
    expect(codeOf({ ...crime, producedAt: '2026-06-30T12:04:00Z' })).toBeNull();
    expect(codeOf({ ...crime, producedAt: '2026-06-30T12:06:00Z' })).toBe('producedAt.in-future');
  });

  it('bounds the months and half-years inside payloads too', () => {
    const closed = sample('submission.closed');
    expect(codeOf(withPayload(closed, { month: '2015-03' }))).toBe('payload.month.too-early');
    expect(codeOf(withPayload(closed, { month: '2026-07' }))).toBe('payload.month.in-future');
    expect(codeOf(withPayload(closed, { month: '2026-13' }))).toBe('payload.month.invalid');
    // A month is closed once it is over: not on a day within it.
    expect(codeOf({ ...withPayload(closed, { month: '2026-05' }), occurredAt: '2026-05-31' })).toBe('payload.month.not-ended');
    expect(codeOf({ ...withPayload(closed, { month: '2026-05' }), occurredAt: '2026-06-01' })).toBeNull();
    const ret = sample('return.submitted');
    expect(codeOf(withPayload(ret, { period: '2014-H2' }))).toBe('payload.period.too-early');
    expect(codeOf(withPayload(ret, { period: '2026-H2' }))).toBe('payload.period.in-future');
    expect(codeOf(withPayload(ret, { period: '2026-H1' }))).toBeNull();
  });

  it('limits free text and refuses control characters in it', () => {
    const ret = sample('return.submitted');
    expect(codeOf(withPayload(ret, { summary: 'a'.repeat(4001) }))).toBe('payload.summary.too-long');
    expect(codeOf(withPayload(ret, { summary: 'line\u0007bell' }))).toBe('payload.summary.invalid');
    expect(codeOf(withPayload(sample('event.retracted'), { reason: 'r'.repeat(501) }))).toBe('payload.reason.too-long');
    expect(codeOf(withPayload(ret, { documents: [{ name: 'notes.exe', sha256: 'a'.repeat(64), bytes: 10 }] }))).toBe('payload.documents.0.name.invalid');
  });

  it("refuses an event for another force than the credential's, and what is not an event object", () => {
    expect(codeOf({ ...crime, force: 'essex' }, { force: 'kent', receivedAt })).toBe('force.not-credential-force');
    expect(codeOf(null)).toBe('event.not-an-object');
    expect(codeOf([crime])).toBe('event.not-an-object');
  });
});

describe('personal data', () => {
  const crime = sample('crime.recorded');

  it.each([
    ['name', 'Jane-Smith'], ['name', 'smith'], ['email', 'jane.smith@example.org'], ['phone', '07700 900123'],
    ['phone', '+447700900123'], ['ni-number', 'AB123456C'], ['postcode', 'SW1A 1AA'], ['postcode', 'M11AE'],
    ['date-of-birth', '1987-03-14'], ['date-of-birth', '14/03/1987'],
  ])('a reference that reads as a %s (%s) is refused with its own code', (kind, ref) => {
    expect(codeOf(withPayload(crime, { crimeRef: ref }))).toBe(`payload.crimeRef.personal-data.${kind}`);
  });

  it('checks every reference field, not only crimeRef', () => {
    expect(codeOf(withPayload(sample('suspect.outstanding'), { suspectRef: 'John.Doe' }))).toBe('payload.suspectRef.personal-data.name');
    expect(codeOf(withPayload(sample('order.applied'), { crimeRef: 'AB 12 34 56 C' }))).toMatch(/^payload\.crimeRef\.personal-data\./);
  });

  it.each([
    ['email', 'Contact the lead at j.smith@force.police.uk for detail.'],
    ['phone', 'Victim reachable on 07700 900123 after 6pm.'],
    ['phone', 'Call 020 7946 0958.'],
    ['ni-number', 'NI number AB 12 34 56 C was recorded.'],
    ['postcode', 'The incident was near SW1A 1AA.'],
    ['date-of-birth', 'Subject DOB: 14/03/1987.'],
    ['date-of-birth', 'born on 3 March 1990'],
    ['name', 'Reviewed with Mrs Patel and the team.'],
  ])('free text containing a %s is refused with its own code', (kind, text) => {
    expect(codeOf(withPayload(sample('return.submitted'), { summary: text }))).toBe(`payload.summary.personal-data.${kind}`);
    expect(codeOf(withPayload(sample('event.retracted'), { reason: text }))).toBe(`payload.reason.personal-data.${kind}`);
  });

  it('finds an email in text as the pattern did, in a single pass', () => {
    const pattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
    const cases = ['a@b.cd', 'x a@b.c y', '@b.cd', 'a@.cd', 'a@b.cd1', 'a@b.c-de', 'a@b.c.de', 'a@@b.cd', 'me@example.org.', 'a@b', 'a@b-.cd', '1@2.ab', 'a.@b.co', 'a@b@c.de', 'x@y.z@w.ab'];
    for (const text of cases) expect([text, containsEmail(text)]).toEqual([text, pattern.test(text)]);
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'B', '1', '.', '-', '@', ' ', '_', '%') , maxLength: 40 }), (text) => {
      expect(containsEmail(text)).toBe(pattern.test(text));
    }), { numRuns: 2000 });
  });

  it('refuses an over-long text or reference for its length, before any pattern reads it', () => {
    const ret = sample('return.submitted');
    expect(codeOf(withPayload(ret, { summary: 'a'.repeat(4001) }))).toBe('payload.summary.too-long');
    expect(codeOf(withPayload(crime, { crimeRef: `${'a'.repeat(100_000)}@x.org` }))).toMatch(/^payload\.crimeRef\./);
    expect(codeOf(withPayload(crime, { crimeRef: `${'a'.repeat(100_000)}@x.org` }))).not.toMatch(/personal-data/);
  });

  it('lets ordinary figures, dates and references through', () => {
    const ret = sample('return.submitted');
    for (const summary of ['Between 1/4/2025 and 30/9/2025, 1,204 officers were trained (98%).', 'Reference KT/2025/000123 was reviewed.', 'Call volume rose 12% in 2025-26.']) {
      expect(codeOf(withPayload(ret, { summary }))).toBeNull();
    }
    for (const crimeRef of ['KT/2025/000123', 'CR-a1b2cd', '44-000231', 'MPS:2025:88']) expect(codeOf(withPayload(crime, { crimeRef }))).toBeNull();
  });
});

describe('generated events (property)', () => {
  it('every valid event of every type passes', () => {
    fc.assert(fc.property(arbitraryEvent(), (event) => {
      const result = parseEvent(event, ctxFor(event));
      expect(result.ok ? null : result.refusal).toBeNull();
    }), { numRuns: 500 });
  });

  const breakages: ((e: Record<string, unknown>) => unknown)[] = [
    (e) => ({ ...e, eventId: 'x' }),
    (e) => ({ ...e, occurredAt: '2099-01-01' }),
    (e) => ({ ...e, extra: 1 }),
    (e) => ({ ...e, payload: undefined }),
    (e) => ({ ...e, payload: { ...(e.payload as object), unknown: true } }),
    (e) => ({ ...e, schemaVersion: '1' }),
    (e) => ({ ...e, type: 'crime.recorded ' }),
    (e) => ({ ...e, force: 'Kent' }),
    (e) => ({ ...e, producedAt: '2099-01-01T00:00:00Z' }),
  ];

  it('every event with one thing broken is refused with a rule code', () => {
    fc.assert(fc.property(arbitraryEvent(), fc.nat({ max: breakages.length - 1 }), (event, i) => {
      const result = parseEvent(breakages[i]!(event), ctxFor(event));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.refusal.code).toMatch(/^[a-zA-Z0-9.-]+$/);
    }), { numRuns: 500 });
  });
});

describe('text that is not well-formed Unicode', () => {
  it('is refused with its own code, wherever it is, before it can reach a database', () => {
    const retraction = { eventId: '3f2b8c1e-8d4a-4b7e-9c1a-2e5f6a7b8c9d', type: 'event.retracted', schemaVersion: 1, force: 'kent', occurredAt: '2025-05-01', producedAt: '2025-05-01T10:00:00Z',
      payload: { eventId: '4f2b8c1e-8d4a-4b7e-9c1a-2e5f6a7b8c9d', reason: 'x\ud800y' } };
    const ctx = { force: 'kent', receivedAt: new Date('2025-06-01T00:00:00Z') };
    expect(parseEvent(retraction, ctx)).toMatchObject({ ok: false, refusal: { code: 'payload.reason.invalid-unicode' } });
    expect(parseEvent({ ...retraction, payload: { ...retraction.payload, reason: 'low \udc00 alone' } }, ctx)).toMatchObject({ ok: false, refusal: { code: 'payload.reason.invalid-unicode' } });
    expect(parseEvent({ ...retraction, payload: { ...retraction.payload, reason: 'fine' }, ['bad\ud800key']: 1 }, ctx)).toMatchObject({ ok: false, refusal: { code: 'event.invalid-unicode' } });
    // A well-formed pair (an emoji) is text like any other.
    expect(parseEvent({ ...retraction, payload: { ...retraction.payload, reason: 'sent in error \ud83d\ude00' } }, ctx)).toMatchObject({ ok: true });
  });
});
