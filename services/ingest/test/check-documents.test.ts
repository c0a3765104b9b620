import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkLines } from '../src/check-lines.ts';
import { citedDigests, refuseUncitable } from '../src/check-documents.ts';

const digest = (c: string) => c.repeat(64);
const decoded = (n: number, value: unknown) => ({ line: n, value, bytes: Buffer.from(JSON.stringify(value)) });
const line = (n: number, kpi: string, documents: { name: string; sha256: string; bytes: number }[]) => decoded(n, {
  eventId: randomUUID(), type: 'return.submitted', schemaVersion: 1, force: 'kent', occurredAt: '2025-10-06', producedAt: '2025-10-06T10:00:00Z',
  payload: { kpi, period: '2025-H1', summary: 'A return.', documents },
});

describe('documents cited by returns', () => {
  const outcomes = checkLines([
    line(1, '2.1', [{ name: 'a.csv', sha256: digest('a'), bytes: 10 }, { name: 'b.pdf', sha256: digest('b'), bytes: 20 }]),
    line(2, '3.1', [{ name: 'a.csv', sha256: digest('a'), bytes: 10 }, { name: 'c.pdf', sha256: digest('c'), bytes: 30 }]),
    line(3, '4.1', [{ name: 'b.pdf', sha256: digest('b'), bytes: 21 }]),
    line(4, '9.1', []),
    decoded(5, { eventId: 'not-a-return' }),
  ], { force: 'kent', receivedAt: new Date('2025-10-07T00:00:00Z') });

  it('asks once for every digest the accepted returns cite', () => {
    expect(citedDigests(outcomes).sort()).toEqual([digest('a'), digest('b'), digest('c')]);
  });

  it('refuses each return citing a document not uploaded, or of another size, and leaves the rest as they were', () => {
    const checked = refuseUncitable(outcomes, 'kent', new Map([[digest('a'), 10], [digest('b'), 20]]));
    expect(checked.map((o) => (o.status === 'refused' ? o.refusal.code : o.status))).toEqual([
      'accepted', 'return.document-not-uploaded', 'return.document-size-mismatch', 'accepted', 'type.invalid',
    ]);
    expect(checked[1]).toMatchObject({ eventId: outcomes[1]!.eventId, original: { payload: { kpi: '3.1' } } });
    expect(checked[1]!.status === 'refused' && checked[1]!.refusal.message).toContain(`documents.1 (sha256 ${digest('c')}) was never uploaded by kent`);
    expect(checked[2]!.status === 'refused' && checked[2]!.refusal.message).toContain('says 21 bytes; the document kent uploaded has 20');
    expect(checked[0]).toBe(outcomes[0]);
  });
});
