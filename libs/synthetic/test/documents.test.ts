import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { forceIds, parseEvent } from '@vawg/contracts';
import { citationOf, seeded, syntheticHistory, syntheticReturnDocuments } from '../src/index.ts';

describe('synthetic documents for returns', () => {
  it('are the same bytes for the same force and period, and cited by their digest and size', () => {
    const [csv, pdf] = syntheticReturnDocuments('kent', '2025-H1');
    expect(syntheticReturnDocuments('kent', '2025-H1')).toEqual([csv, pdf]);
    expect(syntheticReturnDocuments('essex', '2025-H1')[0]!.body).not.toEqual(csv!.body);
    expect(citationOf(pdf!)).toEqual({ name: 'kent-2025-H1-summary.pdf', sha256: createHash('sha256').update(pdf!.body).digest('hex'), bytes: pdf!.body.length });
    expect(csv!.body.toString().split('\n')[1]).toMatch(/^2025-04,\d+,\d+,\d+$/);
    expect(syntheticReturnDocuments('kent', '2025-H2')[0]!.body.toString()).toContain('\n2026-03,');
  });

  it("make every force's returns cite them, within the contract, drawing nothing more from the generator", () => {
    const options = { from: '2024-10-01', to: '2025-10-31', crimes: 20 };
    for (const force of forceIds) {
      const cited = [...syntheticHistory(seeded(5), { ...options, force, returnDocuments: (period) => syntheticReturnDocuments(force, period).map(citationOf) })];
      const plain = [...syntheticHistory(seeded(5), { ...options, force })];
      const returns = cited.filter((e) => e.type === 'return.submitted');
      expect(returns.length).toBeGreaterThan(0);
      for (const r of returns) {
        if (r.type !== 'return.submitted') continue;
        expect(r.payload.documents.map((d) => d.name)).toEqual([`${force}-${r.payload.period}-measures.csv`, `${force}-${r.payload.period}-summary.pdf`]);
        expect(parseEvent(r, { force, receivedAt: new Date('2025-11-01T12:00:00Z') })).toMatchObject({ ok: true });
      }
      // The same history otherwise, event for event.
      expect(cited.map((e) => e.eventId)).toEqual(plain.map((e) => e.eventId));
    }
  });

  it('let the last month\'s closures and the last half-year\'s returns come after it, when asked, and change nothing else', () => {
    const options = { force: 'kent', from: '2024-10-01', to: '2025-09-30', crimes: 30 };
    const until = [...syntheticHistory(seeded(6), { ...options, declarationsUntil: '2025-10-31' })];
    const plain = [...syntheticHistory(seeded(6), options)];
    const late = until.filter((e) => e.occurredAt > options.to);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((e) => e.occurredAt <= '2025-10-31' && ((e.type === 'return.submitted' && e.payload.period === '2025-H1') || (e.type === 'submission.closed' && e.payload.month === '2025-09')))).toBe(true);
    expect(late.filter((e) => e.type === 'submission.closed')).toHaveLength(5);
    expect(until.filter((e) => e.occurredAt <= options.to)).toEqual(plain);
  });
});
