import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ageBands, ethnicities, forceIds, offenceGroups, parseEvent, victimSexes, type CrimeRecorded } from '../src/index.ts';

const receivedAt = new Date('2025-06-15T12:00:00Z');
const ctx = { force: 'kent', receivedAt };

const valid = (): CrimeRecorded => ({
  eventId: '3f2b8c1e-8d4a-4b7e-9c1a-2e5f6a7b8c9d',
  type: 'crime.recorded',
  schemaVersion: 1,
  force: 'kent',
  occurredAt: '2025-05-01',
  producedAt: '2025-05-01T10:00:00+01:00',
  payload: { crimeRef: 'KT/2025/000123', offenceGroup: 'stalking', domesticAbuse: true, victim: { sex: 'female', ageBand: '25-34', ethnicity: 'not-stated' } },
});

function codeOf(event: unknown, context = ctx): string | null {
  const result = parseEvent(event, context);
  return result.ok ? null : result.refusal.code;
}

describe('the crime.recorded contract', () => {
  it('accepts a valid event, with or without a Home Office code', () => {
    expect(codeOf(valid())).toBeNull();
    expect(codeOf({ ...valid(), payload: { ...valid().payload, hoOffenceCode: '8Q' } })).toBeNull();
  });

  it.each([
    ['eventId.invalid', { eventId: 'not-a-uuid' }],
    ['eventId.missing', { eventId: undefined }],
    ['type.invalid', { type: 'crime.unknown' }],
    ['schemaVersion.invalid', { schemaVersion: 2 }],
    ['force.invalid', { force: 'atlantis' }],
    ['occurredAt.invalid', { occurredAt: '2025-02-30' }],
    ['occurredAt.invalid', { occurredAt: '01/05/2025' }],
    ['producedAt.invalid', { producedAt: '2025-05-01T10:00:00' }],
    ['event.unknown-field', { note: 'x' }],
  ])('refuses with %s', (code, change) => {
    expect(codeOf({ ...valid(), ...change })).toBe(code);
  });

  it.each([
    ['payload.crimeRef.invalid', { crimeRef: 'Jane Smith' }],
    ['payload.crimeRef.missing', { crimeRef: undefined }],
    ['payload.offenceGroup.invalid', { offenceGroup: 'burglary' }],
    ['payload.hoOffenceCode.invalid', { hoOffenceCode: 'nineteen' }],
    ['payload.domesticAbuse.invalid', { domesticAbuse: 'yes' }],
    ['payload.victim.sex.invalid', { victim: { sex: 'f', ageBand: '25-34', ethnicity: 'white' } }],
    ['payload.victim.ageBand.invalid', { victim: { sex: 'female', ageBand: '30', ethnicity: 'white' } }],
    ['payload.victim.ethnicity.missing', { victim: { sex: 'female', ageBand: '25-34' } }],
    ['payload.victim.unknown-field', { victim: { sex: 'female', ageBand: '25-34', ethnicity: 'white', name: 'x' } }],
    ['payload.unknown-field', { summary: 'free text' }],
  ])('refuses a payload with %s', (code, change) => {
    expect(codeOf({ ...valid(), payload: { ...valid().payload, ...change } })).toBe(code);
  });

  it('refuses dates outside 2015-04-01 to the day of receipt (in England), and production in the future', () => {
    expect(codeOf({ ...valid(), occurredAt: '2015-03-31' })).toBe('occurredAt.too-early');
    expect(codeOf({ ...valid(), occurredAt: '2015-04-01' })).toBeNull();
    expect(codeOf({ ...valid(), occurredAt: '2025-06-16' })).toBe('occurredAt.in-future');
    // 00:30 on 16 June in London is still 15 June in UTC: the force's today is the 16th.
    expect(codeOf({ ...valid(), occurredAt: '2025-06-16' }, { force: 'kent', receivedAt: new Date('2025-06-15T23:30:00Z') })).toBeNull();
    expect(codeOf({ ...valid(), producedAt: '2025-06-15T12:04:00Z' })).toBeNull();
    expect(codeOf({ ...valid(), producedAt: '2025-06-15T12:06:00Z' })).toBe('producedAt.in-future');
  });

  it("refuses an event for another force than the credential's", () => {
    expect(codeOf({ ...valid(), force: 'essex' })).toBe('force.not-credential-force');
  });

  it('refuses what is not an event object', () => {
    expect(codeOf(null)).toBe('event.not-an-object');
    expect(codeOf([valid()])).toBe('event.not-an-object');
  });

  const arbitraryCrime = fc.record({
    eventId: fc.uuid({ version: 4 }),
    force: fc.constantFrom(...forceIds),
    occurredAt: fc.date({ min: new Date('2015-04-01T00:00:00Z'), max: new Date('2025-06-14T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    crimeRef: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,20}$/),
    offenceGroup: fc.constantFrom(...offenceGroups.map((g) => g.id)),
    domesticAbuse: fc.boolean(),
    sex: fc.constantFrom(...victimSexes),
    ageBand: fc.constantFrom(...ageBands),
    ethnicity: fc.constantFrom(...ethnicities),
  }).map((r) => ({
    event: {
      eventId: r.eventId, type: 'crime.recorded', schemaVersion: 1, force: r.force, occurredAt: r.occurredAt,
      producedAt: `${r.occurredAt}T09:00:00+00:00`,
      payload: { crimeRef: r.crimeRef, offenceGroup: r.offenceGroup, domesticAbuse: r.domesticAbuse, victim: { sex: r.sex, ageBand: r.ageBand, ethnicity: r.ethnicity } },
    },
    ctx: { force: r.force, receivedAt },
  }));

  it('accepts every generated valid event (property)', () => {
    fc.assert(fc.property(arbitraryCrime, ({ event, ctx: c }) => {
      expect(parseEvent(event, c).ok).toBe(true);
    }));
  });

  it('refuses, with a code, every event with one field broken (property)', () => {
    const breakages = [
      (e: Record<string, unknown>) => ({ ...e, eventId: 'x' }),
      (e: Record<string, unknown>) => ({ ...e, occurredAt: '2099-01-01' }),
      (e: Record<string, unknown>) => ({ ...e, extra: 1 }),
      (e: Record<string, unknown>) => { const { payload: _payload, ...rest } = e; return rest; },
      (e: Record<string, unknown>) => ({ ...e, payload: { ...(e.payload as object), victim: { sex: 'female' } } }),
      (e: Record<string, unknown>) => ({ ...e, schemaVersion: '1' }),
    ];
    fc.assert(fc.property(arbitraryCrime, fc.nat({ max: breakages.length - 1 }), ({ event, ctx: c }, i) => {
      const result = parseEvent(breakages[i]!(event), c);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.refusal.code).toMatch(/^[a-zA-Z.-]+$/);
    }));
  });
});
