import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ethnicities, victimSexes } from '@vawg/contracts';
import { buildRows, countKey, measures, OPENING, percentage, toCsv, toJson, type PublicationInput, type PublishedRow } from '../src/index.ts';

const FORCES = ['essex', 'kent', 'surrey'];
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];

/** A crime, reduced to what the rows below read: where it falls and what became of it. */
interface Crime { force: string; month: string; sex: string; eth: string; charged: boolean; outcomeDays: number | null }

/** The aggregate's cells for a set of crimes, for the splits all, sex and ethnicity. */
function inputOf(crimes: readonly Crime[], extra: [string, number][] = []): PublicationInput {
  const counts = new Map<string, number>(extra);
  const histograms = new Map<string, Map<number, number>>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const c of crimes) {
    for (const [split, category] of [['all', 'all'], ['sex', c.sex], ['ethnicity', c.eth]] as const) {
      add(countKey(c.force, c.month, 'crimes-recorded', split, category));
      if (c.charged) add(countKey(c.force, c.month, 'crimes-charged', split, category));
      if (c.outcomeDays !== null) {
        add(countKey(c.force, c.month, 'outcomes-assigned', split, category));
        const key = countKey(c.force, c.month, 'days-to-outcome', split, category);
        const h = histograms.get(key) ?? new Map<number, number>();
        h.set(c.outcomeDays, (h.get(c.outcomeDays) ?? 0) + 1);
        histograms.set(key, h);
      }
    }
  }
  return { counts, histograms, returns: new Set(['kent|2.1']) };
}

const crime = (force: string, month: string, sex = 'female', outcomeDays: number | null = null, charged = false): Crime =>
  ({ force, month, sex, eth: 'white', charged, outcomeDays });
const find = (rows: PublishedRow[], period: string, geography: string, measure: string, split = 'all', category = 'all') => {
  const row = rows.find((r) => r.period === period && r.geography === geography && r.measure === measure && r.split === split && r.category === category);
  if (!row) throw new Error(`no row ${period} ${geography} ${measure} ${split} ${category}`);
  return row;
};

describe('rates', () => {
  it('round half away from zero to one decimal place', () => {
    expect(percentage(1, 8)).toBe(12.5);
    expect(percentage(1, 3)).toBe(33.3);
    expect(percentage(2, 3)).toBe(66.7);
    expect(percentage(1, 2000)).toBe(0.1);
    expect(percentage(1, 2001)).toBe(0);
    expect(percentage(7, 7)).toBe(100);
  });
});

describe('the rows of a half-year', () => {
  const crimes = [
    // Kent: 12 crimes in April (3 charged), outcomes 3, 4, 10, 12 days in April and 30 days in May.
    ...Array.from({ length: 12 }, (_, i) => crime('kent', '2025-04', i < 10 ? 'female' : 'male', null, i < 3)),
    crime('essex', '2025-04', 'female', 3), crime('essex', '2025-04', 'female', 4),
    crime('kent', '2025-04', 'female', 10), crime('kent', '2025-04', 'female', 12), crime('kent', '2025-05', 'female', 30),
  ];
  const rows = buildRows('2025-H1', FORCES, inputOf(crimes, [
    [countKey('kent', OPENING, 'outstanding-suspects-change', 'all', 'all'), 5],
    [countKey('kent', '2025-05', 'outstanding-suspects-change', 'all', 'all'), 2],
    [countKey('kent', '2025-08', 'outstanding-suspects-change', 'all', 'all'), -4],
  ]));

  it('sums months into the half-year and forces into national', () => {
    expect(find(rows, '2025-H1', 'kent', 'crimes-recorded').value).toBe(15);
    expect(find(rows, '2025-H1', 'national', 'crimes-recorded').value).toBe(17);
    expect(find(rows, '2025-H1', 'national', 'crimes-recorded', 'sex', 'male').value).toBe(2);
  });

  it('takes medians over all observations: national 3, 4, 10, 12 in April is 7, never a median of medians', () => {
    expect(find(rows, '2025-04', 'national', 'median-days-to-outcome')).toMatchObject({ value: 7, n: 4, suppressed: false });
    expect(find(rows, '2025-H1', 'national', 'median-days-to-outcome')).toMatchObject({ value: 10, n: 5 });
    // A force's median on fewer than 10 observations is withheld, even unsplit.
    expect(find(rows, '2025-H1', 'kent', 'median-days-to-outcome')).toMatchObject({ value: null, n: null, suppressed: true });
    expect(find(rows, '2025-06', 'kent', 'median-days-to-outcome')).toMatchObject({ value: null, n: 0, suppressed: false });
  });

  it('publishes rates with their numerator and denominator, none on a zero base', () => {
    expect(find(rows, '2025-04', 'kent', 'charge-rate')).toMatchObject({ value: 21.4, numerator: 3, denominator: 14, suppressed: false });
    expect(find(rows, '2025-04', 'national', 'charge-rate')).toMatchObject({ value: 18.8, numerator: 3, denominator: 16 });
    expect(find(rows, '2025-06', 'kent', 'charge-rate')).toMatchObject({ value: null, numerator: 0, denominator: 0, suppressed: false });
    // Essex's base of 2 is too small, even unsplit; national is complete.
    expect(find(rows, '2025-04', 'essex', 'charge-rate')).toMatchObject({ value: null, suppressed: true });
  });

  it('keeps a stock as at the end of each period', () => {
    expect(find(rows, '2025-04', 'kent', 'outstanding-suspects').value).toBe(5);
    expect(find(rows, '2025-05', 'kent', 'outstanding-suspects').value).toBe(7);
    expect(find(rows, '2025-09', 'kent', 'outstanding-suspects').value).toBe(3);
    expect(find(rows, '2025-H1', 'kent', 'outstanding-suspects').value).toBe(3);
    expect(find(rows, '2025-H1', 'national', 'outstanding-suspects').value).toBe(3);
  });

  it('suppresses small force split values, with their complement, never national ones', () => {
    expect(find(rows, '2025-04', 'kent', 'crimes-recorded', 'sex', 'male')).toMatchObject({ value: null, suppressed: true });
    expect(find(rows, '2025-04', 'kent', 'crimes-recorded', 'sex', 'female')).toMatchObject({ value: null, suppressed: true });
    expect(find(rows, '2025-04', 'kent', 'crimes-recorded')).toMatchObject({ value: 14, suppressed: false });
    expect(find(rows, '2025-04', 'national', 'crimes-recorded', 'sex', 'male')).toMatchObject({ value: 2, suppressed: false });
    // The charge rate's denominators are those counts: withheld with them.
    expect(find(rows, '2025-04', 'kent', 'charge-rate', 'sex', 'female')).toMatchObject({ suppressed: true });
  });

  it('publishes every category with 0, the qualitative returns, and the same sorted rows as CSV and JSON', () => {
    expect(find(rows, '2025-09', 'essex', 'crimes-recorded', 'offence', 'fgm')).toMatchObject({ value: 0, suppressed: false });
    const returned = (geography: string, kpi: string) => rows.find((r) => r.geography === geography && r.kpi === kpi && r.measure === 'return-received')?.value;
    expect(returned('kent', '2.1')).toBe(1);
    expect(returned('kent', '3.1')).toBe(0);
    expect(returned('essex', '2.1')).toBe(0);
    expect(returned('national', '2.1')).toBe(1);
    const keys = rows.map((r) => [r.period, r.geography, r.kpi, r.measure, r.split, r.category].join('\u0000'));
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
    const csvLines = toCsv(rows).trimEnd().split('\n');
    expect(csvLines).toHaveLength(rows.length + 1);
    expect(csvLines[0]).toBe('period,geography,kpi,measure,split,category,value,numerator,denominator,n,suppressed,provisional,forcesIncluded,forcesClosed');
    expect(JSON.parse(toJson(rows))).toHaveLength(rows.length);
  });

  it('marks what was not closed as provisional, never publishes nothing received as 0, and counts the forces a national figure holds', () => {
    const input = inputOf([crime('kent', '2025-04'), crime('kent', '2025-05'), crime('essex', '2025-04')]);
    // kent closed every month but June; essex sent crimes for April only and closed nothing; surrey sent nothing and closed nothing.
    const marked = buildRows('2025-H1', FORCES, {
      ...input,
      completeness: {
        reported: (force, dataset, month) => dataset === 'crime' && (force === 'kent' || (force === 'essex' && month === '2025-04')),
        closed: (force, dataset, month) => force === 'kent' && month !== '2025-06',
      },
    });
    expect(find(marked, '2025-04', 'kent', 'crimes-recorded')).toMatchObject({ value: 1, provisional: false, forcesIncluded: 1, forcesClosed: 1 });
    expect(find(marked, '2025-06', 'kent', 'crimes-recorded')).toMatchObject({ value: 0, provisional: true, forcesIncluded: 1, forcesClosed: 0 });
    expect(find(marked, '2025-H1', 'kent', 'crimes-recorded')).toMatchObject({ value: 2, provisional: true, forcesIncluded: 1, forcesClosed: 0 });
    // essex: April is a figure (provisional); May is nothing received, not 0; so is the half-year, not all of it in.
    expect(find(marked, '2025-04', 'essex', 'crimes-recorded')).toMatchObject({ value: 1, provisional: true, forcesIncluded: 1 });
    expect(find(marked, '2025-05', 'essex', 'crimes-recorded')).toMatchObject({ value: null, suppressed: false, provisional: true, forcesIncluded: 0 });
    expect(find(marked, '2025-05', 'essex', 'charge-rate')).toMatchObject({ value: null, numerator: null, denominator: null, suppressed: false });
    expect(find(marked, '2025-H1', 'essex', 'crimes-recorded')).toMatchObject({ value: null, provisional: true, forcesIncluded: 0 });
    expect(find(marked, '2025-H1', 'surrey', 'crimes-recorded')).toMatchObject({ value: null, forcesIncluded: 0, forcesClosed: 0 });
    expect(find(marked, '2025-H1', 'surrey', 'crimes-recorded', 'sex', 'female')).toMatchObject({ value: null, suppressed: false });
    // National: the forces in it and no other, saying how many and how many closed.
    expect(find(marked, '2025-04', 'national', 'crimes-recorded')).toMatchObject({ value: 2, provisional: true, forcesIncluded: 2, forcesClosed: 1 });
    expect(find(marked, '2025-05', 'national', 'crimes-recorded')).toMatchObject({ value: 1, forcesIncluded: 1, forcesClosed: 1 });
    expect(find(marked, '2025-H1', 'national', 'crimes-recorded')).toMatchObject({ value: 2, provisional: true, forcesIncluded: 1, forcesClosed: 0 });
    expect(find(marked, '2025-H1', 'national', 'median-days-to-outcome')).toMatchObject({ forcesIncluded: 1 });
    // Orders: nobody reported anything, nobody closed: no value anywhere, national included.
    expect(find(marked, '2025-04', 'kent', 'orders-applied')).toMatchObject({ value: null, forcesIncluded: 0 });
    expect(find(marked, '2025-04', 'national', 'orders-applied')).toMatchObject({ value: null, forcesIncluded: 0, provisional: true });
    // The returns: whether each is in is the measure, for every force.
    expect(marked.find((r) => r.geography === 'national' && r.measure === 'return-received' && r.kpi === '2.1')).toMatchObject({ value: 1, forcesIncluded: 3, provisional: false });
    // Without completeness, everything is taken as in and closed.
    expect(find(rows, '2025-04', 'national', 'crimes-recorded')).toMatchObject({ provisional: false, forcesIncluded: 3, forcesClosed: 3 });
  });

  it('publishes every measure of the catalogue for every geography', () => {
    const published = new Set(rows.map((r) => `${r.geography}|${r.measure}`));
    for (const m of measures) for (const g of [...FORCES, 'national']) expect(published.has(`${g}|${m.id}`)).toBe(true);
  });
});

describe('disclosure control over any data (property)', () => {
  const crimeArb = fc.record({
    force: fc.constantFrom(...FORCES),
    month: fc.constantFrom(...MONTHS),
    sex: fc.constantFrom(...victimSexes),
    eth: fc.constantFrom(...ethnicities),
    charged: fc.boolean(),
    outcomeDays: fc.option(fc.nat({ max: 200 }), { nil: null }),
  });

  it('never shows a force split value 1-4, a base under 10, or a lone withheld cell; national is complete', () => {
    fc.assert(fc.property(fc.array(crimeArb, { maxLength: 400 }), (crimes) => {
      const rows = buildRows('2025-H1', FORCES, inputOf(crimes));
      const bySplit = new Map<string, PublishedRow[]>();
      for (const r of rows) {
        const key = `${r.period}|${r.geography}|${r.measure}|${r.split}`;
        const cells = bySplit.get(key);
        if (cells) cells.push(r);
        else bySplit.set(key, [r]);
      }
      const measureOf = new Map(measures.map((m) => [m.id, m]));
      for (const [key, cells] of bySplit) {
        const [period, geography, measureId, split] = key.split('|') as [string, string, string, string];
        const measure = measureOf.get(measureId);
        if (geography === 'national') {
          expect(cells.every((c) => !c.suppressed)).toBe(true);
          continue;
        }
        if (!measure) continue;
        for (const c of cells) {
          if (c.suppressed) {
            expect([c.value, c.numerator, c.denominator, c.n]).toEqual([null, null, null, null]);
            continue;
          }
          if (measure.kind === 'rate' && c.denominator! > 0) expect(c.denominator).toBeGreaterThanOrEqual(10);
          if (measure.kind === 'median' && c.n! > 0) expect(c.n).toBeGreaterThanOrEqual(10);
          if (split === 'all') continue;
          if (measure.kind === 'count' || measure.kind === 'stock') expect(c.value! < 1 || c.value! > 4).toBe(true);
          if (measure.kind === 'rate') expect(c.numerator! < 1 || c.numerator! > 4).toBe(true);
        }
        // No withheld value can be recovered as the `all` total minus the published others.
        if (split !== 'all') expect(cells.filter((c) => c.suppressed).length).not.toBe(1);
        // A rate's denominator, or a median's n, is withheld wherever the count it equals is.
        if (split !== 'all' && measure.guard) {
          const guard = bySplit.get(`${period}|${geography}|${measure.guard}|${split}`)!;
          guard.forEach((g, i) => { if (g.suppressed) expect(cells[i]!.suppressed).toBe(true); });
        }
      }
      // National counts are the whole count.
      const recorded = crimes.filter((c) => c.sex === 'male').length;
      expect(rows.find((r) => r.period === '2025-H1' && r.geography === 'national' && r.measure === 'crimes-recorded' && r.split === 'sex' && r.category === 'male')?.value).toBe(recorded);
    }), { numRuns: 60 });
  });
});
