import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CrimeRecorded } from '@vawg/contracts';
import { DeltaSet } from '@vawg/kpi';
import { applyCrimeRecorded, type CrimeRow } from '../src/crime-step.ts';

const recorded = (eventId: string, occurredAt: string, producedAt: string, sex: 'female' | 'male', crimeRef = 'C1'): CrimeRecorded => ({
  eventId, type: 'crime.recorded', schemaVersion: 1, force: 'kent', occurredAt, producedAt,
  payload: { crimeRef, offenceGroup: 'harassment', domesticAbuse: false, victim: { sex, ageBand: '35-44', ethnicity: 'white' } },
});

function fold(events: CrimeRecorded[]) {
  const states = new Map<string, CrimeRow>();
  const deltas = new DeltaSet();
  applyCrimeRecorded(states, events, deltas);
  return { states, cells: deltas.toArray().map((d) => `${d.month}|${d.measure}|${d.split}|${d.category}=${d.delta}`).sort() };
}

describe('crime.recorded applied to case state', () => {
  it('keeps the later record of a crime, and moves its counts with it', () => {
    const first = recorded('00000000-0000-4000-8000-000000000001', '2025-05-01', '2025-05-01T10:00:00Z', 'female');
    const correction = recorded('00000000-0000-4000-8000-000000000002', '2025-05-01', '2025-05-02T10:00:00Z', 'male');
    const { states, cells } = fold([correction, first]);
    expect([...states.values()][0]?.victimSex).toBe('male');
    expect(cells).toContain('2025-05|crimes-recorded|sex|male=1');
    expect(cells.some((c) => c.includes('sex|female'))).toBe(false);
    expect(cells).toContain('2025-05|crimes-recorded|all|all=1');
  });

  it('gives the same state and cells for any arrival order, with any repeats (property)', () => {
    const versions = Array.from({ length: 6 }, (_, i) => recorded(
      `00000000-0000-4000-8000-00000000000${i}`, `2025-0${4 + (i % 3)}-1${i}`, `2025-07-0${1 + (i % 2)}T10:00:00Z`, i % 2 ? 'male' : 'female', `C${i % 3}`));
    const reference = fold(versions);
    const arrivals = fc.array(fc.constantFrom(...versions), { maxLength: 12 })
      .chain((repeats) => fc.shuffledSubarray([...versions, ...repeats], { minLength: versions.length + repeats.length }));
    fc.assert(fc.property(arrivals, (arrival) => {
      const result = fold(arrival);
      expect(result.cells).toEqual(reference.cells);
      expect([...result.states.entries()].sort()).toEqual([...reference.states.entries()].sort());
    }));
  });
});
