import { describe, expect, it } from 'vitest';
import { buildCountRows, countKey, toCsv, toJson } from '../src/index.ts';

describe('count rows of a half-year', () => {
  const counts = new Map<string, number>([
    [countKey('kent', '2025-04', 'crimes-recorded', 'all', 'all'), 6],
    [countKey('kent', '2025-05', 'crimes-recorded', 'all', 'all'), 1],
    [countKey('kent', '2025-04', 'crimes-recorded', 'sex', 'female'), 5],
    [countKey('kent', '2025-04', 'crimes-recorded', 'sex', 'male'), 1],
    [countKey('kent', '2025-05', 'crimes-recorded', 'sex', 'female'), 1],
    [countKey('essex', '2025-04', 'crimes-recorded', 'all', 'all'), 2],
    [countKey('essex', '2025-04', 'crimes-recorded', 'sex', 'female'), 2],
  ]);
  const rows = buildCountRows('2025-H1', ['essex', 'kent'], counts);
  const find = (period: string, geography: string, split: string, category: string, measure = 'crimes-recorded') =>
    rows.find((r) => r.period === period && r.geography === geography && r.measure === measure && r.split === split && r.category === category);

  it('sums months into the half-year and forces into national', () => {
    expect(find('2025-H1', 'kent', 'all', 'all')?.value).toBe(7);
    expect(find('2025-H1', 'national', 'all', 'all')?.value).toBe(9);
    expect(find('2025-H1', 'national', 'sex', 'female')?.value).toBe(8);
    expect(find('2025-H1', 'national', 'sex', 'male')?.value).toBe(1);
  });

  it('publishes every category with 0, and force all counts in full', () => {
    expect(find('2025-09', 'essex', 'offence', 'fgm')).toMatchObject({ value: 0, suppressed: false });
    expect(find('2025-05', 'kent', 'all', 'all')).toMatchObject({ value: 1, suppressed: false });
  });

  it('suppresses small force split counts but never national ones', () => {
    expect(find('2025-H1', 'kent', 'sex', 'male')).toMatchObject({ value: null, suppressed: true });
    // Kent's only other non-zero sex cell is suppressed too, or male = all - female.
    expect(find('2025-H1', 'kent', 'sex', 'female')).toMatchObject({ value: null, suppressed: true });
    expect(find('2025-H1', 'national', 'sex', 'male')).toMatchObject({ value: 1, suppressed: false });
  });

  it('sorts rows and writes the same rows to CSV and JSON', () => {
    const keys = rows.map((r) => [r.period, r.geography, r.kpi, r.measure, r.split, r.category].join('\u0000'));
    expect(keys).toEqual([...keys].sort());
    const csvLines = toCsv(rows).trimEnd().split('\n');
    const json = JSON.parse(toJson(rows)) as unknown[];
    expect(csvLines).toHaveLength(rows.length + 1);
    expect(json).toHaveLength(rows.length);
    expect(csvLines[0]).toBe('period,geography,kpi,measure,split,category,value,numerator,denominator,n,suppressed');
  });
});
