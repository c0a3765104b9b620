import { describe, expect, it } from 'vitest';
import { halfYearOf, lastDayOf, monthsOfHalfYear } from '../src/index.ts';

describe('periods', () => {
  it('puts April-September in H1 and October-March in H2 of the financial year', () => {
    expect(halfYearOf('2025-04')).toBe('2025-H1');
    expect(halfYearOf('2025-09')).toBe('2025-H1');
    expect(halfYearOf('2025-10')).toBe('2025-H2');
    expect(halfYearOf('2026-03')).toBe('2025-H2');
    expect(halfYearOf('2026-01')).toBe('2025-H2');
  });

  it('lists the six months of a half-year across the turn of the year', () => {
    expect(monthsOfHalfYear('2025-H1')).toEqual(['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09']);
    expect(monthsOfHalfYear('2025-H2')).toEqual(['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03']);
  });

  it('knows the last day of a month, leap years included', () => {
    expect(lastDayOf('2024-02')).toBe('2024-02-29');
    expect(lastDayOf('2025-02')).toBe('2025-02-28');
    expect(lastDayOf('2025-09')).toBe('2025-09-30');
  });

  it('refuses what is not a period', () => {
    expect(() => halfYearOf('2025-13')).toThrow();
    expect(() => monthsOfHalfYear('2025-H3')).toThrow();
  });
});

describe('the half-year a publication reports', () => {
  it('is the half-year to 31 March on 1 May, and to 30 September on 1 November', async () => {
    const { halfYearEndedBefore } = await import('../src/index.ts');
    expect(halfYearEndedBefore('2026-05-01')).toBe('2025-H2');
    expect(halfYearEndedBefore('2025-11-01')).toBe('2025-H1');
    expect(halfYearEndedBefore('2026-01-15')).toBe('2025-H1');
  });
});
