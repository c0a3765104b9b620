import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { suppressMedianSplit, suppressRateSplit, suppressSplit } from '../src/index.ts';

describe('disclosure control of a force split', () => {
  it('suppresses counts 1 to 4 and publishes 0 and 5+', () => {
    expect(suppressSplit([0, 1, 4, 5, 2])).toEqual([false, true, true, false, true]);
  });

  it('adds the next-smallest non-zero cell when only one cell is suppressed', () => {
    expect(suppressSplit([12, 3, 0, 7, 9])).toEqual([false, true, false, true, false]);
  });

  it('breaks a tie by category order', () => {
    expect(suppressSplit([8, 2, 8])).toEqual([true, true, false]);
  });

  it('falls back to a zero cell when no other non-zero cell exists, unless told to leave that to the protection across tables', () => {
    expect(suppressSplit([0, 3, 0])).toEqual([true, true, false]);
    expect(suppressSplit([0, 3, 0], [], false)).toEqual([false, true, false]);
  });

  it('never publishes a 1-4 and never leaves a single suppressed cell (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 30 }), { minLength: 2, maxLength: 17 }), (values) => {
        const suppressed = suppressSplit(values);
        values.forEach((v, i) => {
          if (v >= 1 && v <= 4) expect(suppressed[i]).toBe(true);
        });
        expect(suppressed.filter(Boolean).length).not.toBe(1);
        const withoutZeros = suppressSplit(values, [], false);
        values.forEach((v, i) => {
          if (v === 0) expect(withoutZeros[i]).toBe(false);
        });
        if (values.filter((v) => v > 0).length > 1) expect(withoutZeros.filter(Boolean).length).not.toBe(1);
      }),
    );
  });
});

describe('disclosure control of rates and medians', () => {
  it('withholds a rate on a numerator 1-4 or a base under 10, and its complement by base', () => {
    expect(suppressRateSplit([0, 3, 6, 0], [40, 50, 60, 20])).toEqual([false, true, false, true]);
    expect(suppressRateSplit([0, 0, 6], [9, 50, 60])).toEqual([true, true, false]);
    expect(suppressRateSplit([0, 0], [0, 30])).toEqual([false, false]);
  });

  it('withholds a median on fewer than 10 observations, and its complement by n', () => {
    expect(suppressMedianSplit([12, 9, 30, 0])).toEqual([true, true, false, false]);
    expect(suppressMedianSplit([12, 15])).toEqual([false, false]);
  });

  it('inherits the withholding of the count a base equals', () => {
    expect(suppressSplit([20, 30, 40], [false, true, true])).toEqual([false, true, true]);
    expect(suppressMedianSplit([20, 30, 40], [false, true, false])).toEqual([true, true, false]);
  });
});
