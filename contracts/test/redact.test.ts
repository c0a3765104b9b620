import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskIdentifier, maskPersonalData, parseEvent, personalDataInText, redactValue, NOT_KEPT } from '../src/index.ts';

const secrets: [string, string][] = [
  ['email', 'jane.doe+vawg@example.org.uk'],
  ['phone', '+44 7700 900123'],
  ['phone', '(0161) 496 0000'],
  ['ni-number', 'AB 12 34 56 C'],
  ['postcode', 'SW1A 1AA'],
  ['date-of-birth', 'DOB: 3 March 1990'],
  ['name', 'Mrs Jane Anne Doe-Smith'],
];

describe('masking personal data', () => {
  it.each(secrets)('replaces %s in a text by its kind, and leaves nothing of it', (kind, secret) => {
    const { text, kinds } = maskPersonalData(`before ${secret}, after`);
    expect(text).toBe(`before [${kind}], after`);
    expect(kinds).toEqual([kind]);
  });

  it('masks every kind, wherever it sits in any text, and leaves text that is not personal data as it was', () => {
    const filler = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '.', ',', '-', '1', '\n', 'é', '😀'), maxLength: 40 });
    fc.assert(fc.property(fc.array(fc.tuple(filler, fc.constantFrom(...secrets)), { maxLength: 5 }), filler, (parts, tail) => {
      const text = parts.map(([before, [, secret]]) => `${before} ${secret} `).join('') + tail;
      const masked = maskPersonalData(text).text;
      for (const [, [, secret]] of parts) expect(masked).not.toContain(secret);
      expect(personalDataInText(masked)).toBeNull();
      const clean = parts.map(([before]) => before).join(' ') + tail;
      if (personalDataInText(clean) === null) expect(maskPersonalData(clean).text).toBe(clean);
    }));
  });

  it('masks in time linear in the text', () => {
    // Not timed: the span finders are each bounded; a quadratic one would hang this test (bench/src/hostile.ts times it).
    expect(maskPersonalData(`${'a.'.repeat(500_000)}@example.org`).text).toMatch(/\[email\]$/);
  });

  it('keeps a refused line\'s eventId only if it is a UUID', () => {
    expect(maskIdentifier('0B8C7F3E-3F5D-4C1E-9D5E-0F3B7A2C9E11')).toBe('0b8c7f3e-3f5d-4c1e-9d5e-0f3b7a2c9e11');
    for (const other of ['EVT-1234', 'jane@example.org', 'JaneSmith', `${'x'.repeat(95)}.victim@example.org`]) expect(maskIdentifier(other)).toBeNull();
  });

  it('keeps no more of a line than a line may hold, however many short fields it has', () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 1]));
    expect(redactValue(many, Object.keys(many).map((k) => ({ path: [k], kind: 'unknown-field' as const })))).toMatch(/^\[not kept: \d+ characters once masked\]$/);
  });

  it('redacts a value: strings and keys masked, marked places replaced, unknown fields not kept', () => {
    const value = { a: 'ring 07700900123', 'x@example.org': 'fine', nested: [{ crimeRef: 'Smith' }], extra: { deep: 'Jane' }, n: 3 };
    expect(redactValue(value, [{ path: ['nested', 0, 'crimeRef'], kind: 'name' }, { path: ['extra'], kind: 'unknown-field' }])).toEqual({
      a: 'ring [phone]', '[email]': 'fine', nested: [{ crimeRef: '[name]' }], extra: NOT_KEPT, n: 3,
    });
  });

  it('keeps a __proto__ key as data, never as a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": "yes"}}') as unknown;
    const out = redactValue(value) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('what reads as personal data in police text', () => {
  it.each([
    'Data for 2025-04-01 - 2025-09-30', 'age bands 0-17 18-24 25-34 35-44', 'Date of birth: 12 records lacked it', 'seen at 14:30 on 12/03/2025',
    '2 of 10', 'Mrsa screening', 'Mr. and Mrs.', 'crime 46/12345/25', 'we miss the deadline', 'did not miss targets', 'took 40 ms each',
    'near M25 4th exit', 'Between 1/4/2025 and 30/9/2025, 1,204 officers', 'KT/2025/000123',
  ])('passes %j', (text) => expect(personalDataInText(text)).toBeNull());

  it.each([
    ['MR JOHN SMITH', 'name'], ['Mr J Smith', 'name'], ['mr smith', 'name'], ["Mrs O'Brien", 'name'], ['PC Jones', 'name'], ['Dr McDonald', 'name'],
    ['Miss Patel', 'name'], ['DS A. Khan', 'name'], ['+44 20 7946 0000', 'phone'], ['0044 20 7946 0000', 'phone'],
    ['07700 900123', 'phone'], ['SW1A1AA', 'postcode'], ['ab 12 34 56 c', 'ni-number'], ['born in 1990', 'date-of-birth'], ['DOB: 1990-03-01', 'date-of-birth'],
  ])('masks %j whole, as %s', (text, kind) => expect(maskPersonalData(text).text).toBe(`[${kind}]`));
});

describe('personal data written to slip past', () => {
  it.each([
    ['ring 07700\u00a0900123', 'phone'], ['07700.900.123', 'phone'], ['07700/900123', 'phone'], ['07700\u2013900123', 'phone'],
    ['\uff10\uff17\uff17\uff10\uff10\uff19\uff10\uff10\uff11\uff12\uff13', 'phone'], ['07700\u200b900123', 'phone'],
    ['jos\u00e9@example.org', 'email'], ['jane@b\u00fccher.de', 'email'], ['jane\uff20example.org', 'email'], ['jane\u200b@example.org', 'email'],
    ['MRS JANE SMITH', 'name'], ['Sir Keir Jones', 'name'],
    ['+44 (0) 7700 900123', 'phone'], ['+44 (0)20 7946 0000', 'phone'], ['0044 (0) 7700 900123', 'phone'], ['+447700 900123', 'phone'],
  ])('finds %j (%s)', (text, kind) => expect(personalDataInText(text)).toBe(kind));

  it('keeps nothing of an event of no known type but its envelope, and no measure name it refused', () => {
    const base = { eventId: '0b8c7f3e-3f5d-4c1e-9d5e-0f3b7a2c9e11', schemaVersion: 1, force: 'kent', occurredAt: '2025-10-06', producedAt: '2025-10-06T10:00:00Z' };
    const ctx = { force: 'kent', receivedAt: new Date('2025-11-01T00:00:00Z') };
    const typo = { ...base, type: 'crime.recorderd', payload: { crimeRef: 'Smith', victimName: 'Jane Doe' } };
    const a = parseEvent(typo, ctx);
    expect(!a.ok && JSON.stringify(redactValue(typo, a.redactions))).not.toMatch(/Smith|Jane/);
    const named = { ...base, type: 'return.submitted', payload: { kpi: '2.1', period: '2025-H1', summary: 'x', documents: [], measures: { 'mr-smith': 1, 'dob-1990-01-01': 2 } } };
    const b = parseEvent(named, ctx);
    expect(!b.ok && JSON.stringify(redactValue(named, b.redactions))).not.toMatch(/smith|1990/);
  });

  it('names no sender\'s key in a code or message: a measure named as a phone number', () => {
    const value = { eventId: '0b8c7f3e-3f5d-4c1e-9d5e-0f3b7a2c9e11', type: 'return.submitted', schemaVersion: 1, force: 'kent', occurredAt: '2025-10-06', producedAt: '2025-10-06T10:00:00Z',
      payload: { kpi: '2.1', period: '2025-H1', summary: 'x', documents: [], measures: { '07700900123': 1, tel07700900123: 2 } } };
    const parsed = parseEvent(value, { force: 'kent', receivedAt: new Date('2025-11-01T00:00:00Z') });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(`${parsed.refusal.code} ${parsed.refusal.message}`).not.toMatch(/07700|tel/);
  });
});

describe('what a refused event keeps', () => {
  const crime = { eventId: '0b8c7f3e-3f5d-4c1e-9d5e-0f3b7a2c9e11', type: 'crime.recorded', schemaVersion: 1, force: 'kent', occurredAt: '2025-05-01', producedAt: '2025-05-01T10:00:00Z' };
  const refusedAs = (payload: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const value = { ...crime, ...extra, payload: { crimeRef: 'CR1', offenceGroup: 'stalking', domesticAbuse: true, victim: { sex: 'female', ageBand: '25-34', ethnicity: 'white' }, ...payload } };
    const parsed = parseEvent(value, { force: 'kent', receivedAt: new Date('2025-06-01T00:00:00Z') });
    if (parsed.ok) throw new Error('expected a refusal');
    return { kept: JSON.stringify(redactValue(value, parsed.redactions)), message: parsed.refusal.message };
  };

  it('keeps a refused vocabulary value, but not a value that could be anything', () => {
    expect(refusedAs({ victim: { sex: 'femal', ageBand: '25-34', ethnicity: 'white' } }).kept).toContain('"sex":"femal"');
    for (const secret of ['Jane Doe', 'Jane.Doe', '07700900123']) {
      const { kept } = refusedAs({ victim: { sex: secret, ageBand: '25-34', ethnicity: 'white' } });
      expect(kept).not.toContain(secret);
      expect(kept).toContain(NOT_KEPT);
    }
  });

  it('names an unknown field only if its name reads as a field name, and never keeps its value', () => {
    const plain = refusedAs({ victimName: 'Jane Doe' });
    expect(plain.message).toContain('victimName');
    expect(plain.kept).toContain(`"victimName":"${NOT_KEPT}"`);
    for (const key of ['Jane.Doe', 'jane@example.org', 'Jane Doe']) {
      const { kept, message } = refusedAs({ [key]: 1 });
      expect(`${kept} ${message}`).not.toContain(key);
      expect(message).toContain('[unknown field]');
    }
  });

  it('keeps no list, object or long number where a value was due', () => {
    const { kept } = refusedAs({ crimeRef: ['Jane.Doe'], domesticAbuse: 7700900123, victim: { sex: { name: 'Jane Doe' }, ageBand: 3, ethnicity: 'white' } });
    for (const secret of ['Jane', '7700900123']) expect(kept).not.toContain(secret);
    expect(kept).toContain('"ageBand":3');
  });

  it('keeps personal data in a reference as its kind, even where the reference breaks other rules too', () => {
    expect(refusedAs({ crimeRef: '07700 900123' }).kept).toContain('"crimeRef":"[phone]"');
    expect(refusedAs({ crimeRef: 'Jane.Doe' }).kept).toContain('"crimeRef":"[name]"');
  });

  it('keeps of an event of no known type only its envelope, its type as a word, and not its payload', () => {
    const value = { ...crime, type: 'crime.recorderd', victimName: 'Jane Doe', payload: { note: 'ring 07700 900123' } };
    const parsed = parseEvent(value, { force: 'kent', receivedAt: new Date('2025-06-01T00:00:00Z') });
    if (parsed.ok) throw new Error('expected a refusal');
    expect(redactValue(value, parsed.redactions)).toMatchObject({ type: 'crime.recorderd', victimName: NOT_KEPT, payload: NOT_KEPT });
  });
});
