import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cellOfValue, datasetOfType, eventTypes } from '@vawg/contracts';
import {
  addMonths, ANOMALY_TAIL, expectation, poissonRange, isAnomalous, isDue, isLate, median, monthEnd, monthsOfPeriod, stateOf, lastEndedMonths, CompletenessTally,
} from '../src/index.ts';

describe('months', () => {
  it('adds months across years, both ways', () => {
    expect(addMonths('2025-11', 3)).toBe('2026-02');
    expect(addMonths('2025-01', -1)).toBe('2024-12');
    expect(addMonths('2025-06', -12)).toBe('2024-06');
    fc.assert(fc.property(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: -300, max: 300 }), (y, m, n) => {
      const month = `${y}-${String(m).padStart(2, '0')}`;
      expect(addMonths(addMonths(month, n), -n)).toBe(month);
    }));
  });
  it('knows the months of a half-year and of a month', () => {
    expect(monthsOfPeriod('2025-H1')).toEqual(['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09']);
    expect(monthsOfPeriod('2025-H2')).toEqual(['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03']);
    expect(monthsOfPeriod('2025-07')).toEqual(['2025-07']);
    expect(() => monthsOfPeriod('2025-13')).toThrow();
    expect(() => monthsOfPeriod('2025-H3')).toThrow();
  });
  it('the last twelve ended months end with the one before now', () => {
    const months = lastEndedMonths(new Date('2026-01-05T00:00:00Z'), 12);
    expect(months).toHaveLength(12);
    expect([months[0], months.at(-1)]).toEqual(['2025-01', '2025-12']);
  });
});

describe('late and due', () => {
  it('a month is due at midnight UTC after its last day', () => {
    expect(monthEnd('2025-02').toISOString()).toBe('2025-03-01T00:00:00.000Z');
    expect(isDue('2025-02', new Date('2025-02-28T23:59:59Z'))).toBe(false);
    expect(isDue('2025-02', new Date('2025-03-01T00:00:00Z'))).toBe(true);
  });
  it('is late when not closed 15 days after its end, never when closed', () => {
    expect(isLate('2025-04', false, new Date('2025-05-15T23:59:59Z'))).toBe(false);
    expect(isLate('2025-04', false, new Date('2025-05-16T00:00:00Z'))).toBe(true);
    expect(isLate('2025-04', true, new Date('2026-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('the anomaly rule', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([3, 4, 10, 12])).toBe(7);
  });
  it('needs six months of history', () => {
    expect(expectation([10, 11, 9, 10, 12])).toBeNull();
    expect(expectation([10, 11, 9, 10, 12, 10])).not.toBeNull();
    expect(isAnomalous(1000, null)).toBe(false);
  });
  it('is the median ± 3.5 × 1.4826 × MAD when that is wider than chance, else the Poisson range of the median', () => {
    const e = expectation([100, 90, 110, 80, 120, 130])!;
    expect(e.median).toBe(105);
    const history = [100, 90, 110, 80, 120, 70, 130, 100, 100, 100, 100, 100];
    const x = expectation(history)!;
    expect(x.median).toBe(100);
    // deviations: 0,10,10,20,20,30,30,0,0,0,0,0 → MAD 0: the Poisson range of 100 applies
    expect([x.low, x.high]).toEqual([67, 137]);
    expect(isAnomalous(138, x)).toBe(true);
    expect(isAnomalous(137, x)).toBe(false);
    expect(isAnomalous(66, x)).toBe(true);
    const wide = expectation([100, 60, 140, 50, 150, 100, 40, 160])!;
    // deviations 0,40,40,50,50,0,60,60 → MAD 45 → spread 3.5 × 1.4826 × 45 = 233.5095 (wider than chance)
    expect(wide.high).toBeCloseTo(100 + 233.5095, 3);
    expect(wide.low).toBe(0);
  });
  it('is robust: one wild month of history does not move the expectation much', () => {
    const calm = expectation([50, 52, 48, 51, 49, 50, 50, 53, 47, 50, 51, 49])!;
    const wild = expectation([50, 52, 48, 51, 49, 50, 50, 53, 47, 50, 51, 5000])!;
    expect(Math.abs(calm.median - wild.median)).toBeLessThanOrEqual(1);
    expect(isAnomalous(5, wild)).toBe(true);
    expect(isAnomalous(500, wild)).toBe(true);
  });
  it('catches a short month of a small series, and is not fooled by chance in a steady one', () => {
    // A steady 12 a month: 0 or 1 has a chance of 6 or 80 in a million; 2 of 5 in ten thousand.
    const twelve = expectation(Array(12).fill(12) as number[])!;
    expect([isAnomalous(0, twelve), isAnomalous(1, twelve), isAnomalous(2, twelve)]).toEqual([true, true, false]);
    expect([isAnomalous(26, twelve), isAnomalous(27, twelve)]).toEqual([false, true]);
    // All alike at 4: up to 13 by chance.
    const four = expectation(Array(12).fill(4) as number[])!;
    expect([isAnomalous(0, four), isAnomalous(13, four), isAnomalous(14, four)]).toEqual([false, false, true]);
    const zero = expectation(Array(12).fill(0) as number[])!;
    expect([isAnomalous(6, zero), isAnomalous(7, zero)]).toEqual([false, true]);
  });
  it('the Poisson range holds all but the 3.5-standard-deviation tails, and meets the normal one above 400', () => {
    const pmf = (m: number, k: number) => Math.exp(-m + k * Math.log(m) - Array.from({ length: k }, (_, i) => Math.log(i + 1)).reduce((a, b) => a + b, 0));
    for (const m of [1, 3, 12, 50, 200, 400]) {
      const { low, high } = poissonRange(m);
      const below = Array.from({ length: low }, (_, k) => pmf(m, k)).reduce((a, b) => a + b, 0);
      const upTo = Array.from({ length: high + 1 }, (_, k) => pmf(m, k)).reduce((a, b) => a + b, 0);
      expect(below).toBeLessThan(ANOMALY_TAIL);
      expect(1 - upTo).toBeLessThan(ANOMALY_TAIL);
      expect(below + pmf(m, low)).toBeGreaterThanOrEqual(ANOMALY_TAIL);
    }
    const big = poissonRange(401);
    expect(big.high - 401).toBeCloseTo(3.5 * Math.sqrt(401), 6);
  });
  it('a volume at the median is never anomalous (any history)', () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 10_000 }), { minLength: 6, maxLength: 12 }), (history) => {
      const e = expectation(history)!;
      expect(isAnomalous(Math.round(e.median), e)).toBe(false);
      expect(e.low).toBeLessThanOrEqual(e.median);
      expect(e.high).toBeGreaterThanOrEqual(e.median + 3.5);
    }));
  });
});

describe('the state of a cell', () => {
  it('silent, late, anomalous, closed, open: the first that holds', () => {
    expect(stateOf({ arrived: false, closed: false, late: true, anomalous: true })).toBe('silent');
    expect(stateOf({ arrived: false, closed: true, late: false, anomalous: false })).toBe('closed');
    expect(stateOf({ arrived: false, closed: true, late: false, anomalous: true })).toBe('anomalous');
    expect(stateOf({ arrived: true, closed: false, late: true, anomalous: true })).toBe('late');
    expect(stateOf({ arrived: true, closed: true, late: false, anomalous: true })).toBe('anomalous');
    expect(stateOf({ arrived: true, closed: true, late: false, anomalous: false })).toBe('closed');
    expect(stateOf({ arrived: true, closed: false, late: false, anomalous: false })).toBe('open');
  });
});

describe('which cell an event counts in', () => {
  it('every event type has a dataset, except retractions and closures', () => {
    for (const type of eventTypes) {
      const dataset = datasetOfType(type);
      if (type === 'event.retracted' || type === 'submission.closed') expect(dataset).toBeNull();
      else expect(dataset).not.toBeNull();
    }
    expect(datasetOfType('crime.deleted')).toBeNull();
  });
  it('reads the month of occurredAt, even from a refused line', () => {
    expect(cellOfValue({ type: 'order.breached', occurredAt: '2025-05-31', payload: 'junk' })).toEqual({ dataset: 'orders', month: '2025-05' });
    expect(cellOfValue({ type: 'order.breached', occurredAt: '2025-5-31' })).toBeNull();
    expect(cellOfValue('{"type":"crime.recorded"}')).toBeNull();
    expect(cellOfValue(null)).toBeNull();
  });
  it('a tally sums per cell, ignores events of no cell and unknown forces, and orders its rows', () => {
    const t = new CompletenessTally();
    t.add('kent', { type: 'crime.recorded', occurredAt: '2025-05-02' }, 'received', 1, '2025-06-01T10:00:00.000Z');
    t.add('kent', { type: 'outcome.assigned', occurredAt: '2025-05-20' }, 'received', 1, '2025-06-01T09:00:00.000Z');
    t.add('kent', { type: 'event.retracted', occurredAt: '2025-05-20' }, 'received');
    t.add('atlantis', { type: 'crime.recorded', occurredAt: '2025-05-20' }, 'received');
    t.add('dorset', { type: 'dvds.applied', occurredAt: '2025-04-20' }, 'refused');
    expect(t.entries()).toEqual([
      { force: 'dorset', dataset: 'dvds', month: '2025-04', received: 0, duplicates: 0, refused: 1, counted: 0, first: null, last: null },
      { force: 'kent', dataset: 'crime', month: '2025-05', received: 2, duplicates: 0, refused: 0, counted: 0, first: '2025-06-01T09:00:00.000Z', last: '2025-06-01T10:00:00.000Z' },
    ]);
  });
});
