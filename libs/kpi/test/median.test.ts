import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { median, mergeHistograms } from '../src/index.ts';

const histogramOf = (values: number[]) => {
  const h = new Map<number, number>();
  for (const v of values) h.set(v, (h.get(v) ?? 0) + 1);
  return h;
};

describe('exact medians', () => {
  it('interpolates between the two middle values: the median of 3, 4, 10, 12 is 7', () => {
    expect(median(histogramOf([12, 3, 10, 4]))).toEqual({ median: 7, n: 4 });
    expect(median(histogramOf([5, 1, 9]))).toEqual({ median: 5, n: 3 });
    expect(median(histogramOf([2, 3]))).toEqual({ median: 2.5, n: 2 });
    expect(median(new Map())).toBeNull();
  });

  it('takes a national median over all observations, not a median of force medians', () => {
    const forceA = histogramOf([1, 2, 3]);
    const forceB = histogramOf([10, 20]);
    expect(median(mergeHistograms([forceA, forceB]))).toEqual({ median: 3, n: 5 });
    expect((median(forceA)!.median + median(forceB)!.median) / 2).toBe(8.5);
  });

  it('agrees with sorting the observations (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -30, max: 400 }), { minLength: 1, maxLength: 200 }), (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = (sorted.length - 1) / 2;
      const expected = (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
      expect(median(histogramOf(values))).toEqual({ median: expected, n: values.length });
    }));
  });
});
