// Builds the published rows of the count measures for a half-year and its six months, for every
// force and `national`, with every category of every split (0 where nothing happened), and
// applies disclosure control to force splits. Pure: counts in, rows out.
import { measures } from './measures.ts';
import { monthsOfHalfYear } from './periods.ts';
import { splitCategories } from './splits.ts';
import { suppressSplit } from './disclosure.ts';
import { sortRows, type PublishedRow } from './cells.ts';

export const NATIONAL = 'national';

/** Monthly counts per force: key `force|month|measure|split|category` (see countKey). */
export type MonthlyCounts = ReadonlyMap<string, number>;

export function countKey(force: string, month: string, measure: string, split: string, category: string): string {
  return `${force}|${month}|${measure}|${split}|${category}`;
}

export function buildCountRows(period: string, forces: readonly string[], counts: MonthlyCounts): PublishedRow[] {
  const months = monthsOfHalfYear(period);
  const periods: [string, string[]][] = [[period, months], ...months.map((m): [string, string[]] => [m, [m]])];
  const rows: PublishedRow[] = [];
  for (const measure of measures) {
    for (const splitName of measure.splits) {
      const categories = splitCategories[splitName];
      if (!categories) throw new Error(`measure ${measure.id}: unknown split ${splitName}`);
      for (const [label, span] of periods) {
        const national = categories.map(() => 0);
        for (const force of forces) {
          const values = categories.map((category) =>
            span.reduce((sum, month) => sum + (counts.get(countKey(force, month, measure.id, splitName, category)) ?? 0), 0));
          values.forEach((v, i) => (national[i]! += v));
          const suppressed = splitName === 'all' ? values.map(() => false) : suppressSplit(values);
          categories.forEach((category, i) => rows.push(row(label, force, measure.kpi, measure.id, splitName, category, values[i]!, suppressed[i]!)));
        }
        categories.forEach((category, i) => rows.push(row(label, NATIONAL, measure.kpi, measure.id, splitName, category, national[i]!, false)));
      }
    }
  }
  return sortRows(rows);
}

function row(period: string, geography: string, kpi: string, measure: string, split: string, category: string, value: number, suppressed: boolean): PublishedRow {
  return {
    period, geography, kpi, measure, split, category,
    value: suppressed ? null : value,
    numerator: null, denominator: null, n: null,
    suppressed,
  };
}
