// What changed between two revisions' published rows: counts of rows changed, added and removed,
// per measure, and the national changes themselves (national values are published in full).
import type { PublishedRow } from '@vawg/kpi';

export interface Changes {
  since: number;
  rowsChanged: number;
  rowsAdded: number;
  rowsRemoved: number;
  byMeasure: Record<string, number>;
  /** The national rows whose value changed, in row order: every one for all victims (split `all`), the first 100 of the rest. */
  national: { period: string; measure: string; split: string; category: string; before: number | null; after: number | null }[];
}

const keyOf = (r: PublishedRow) => [r.period, r.geography, r.kpi, r.measure, r.split, r.category].join('|');
/** The same figure, withheld or not alike, and the same marks of completeness (a figure becoming final is a change). */
const sameValues = (a: PublishedRow, b: PublishedRow) =>
  a.value === b.value && a.numerator === b.numerator && a.denominator === b.denominator && a.n === b.n && a.suppressed === b.suppressed
  && a.provisional === b.provisional && a.forcesIncluded === b.forcesIncluded && a.forcesClosed === b.forcesClosed;

export function diffRows(since: number, before: readonly PublishedRow[], after: readonly PublishedRow[]): Changes {
  const old = new Map(before.map((r) => [keyOf(r), r]));
  const changes: Changes = { since, rowsChanged: 0, rowsAdded: 0, rowsRemoved: 0, byMeasure: {}, national: [] };
  for (const row of after) {
    const key = keyOf(row);
    const was = old.get(key);
    old.delete(key);
    if (!was) changes.rowsAdded += 1;
    else if (sameValues(was, row)) continue;
    else changes.rowsChanged += 1;
    changes.byMeasure[row.measure] = (changes.byMeasure[row.measure] ?? 0) + 1;
    if (row.geography === 'national' && (row.split === 'all' || changes.national.length < 100)) {
      changes.national.push({ period: row.period, measure: row.measure, split: row.split, category: row.category, before: was?.value ?? null, after: row.value });
    }
  }
  changes.rowsRemoved = old.size;
  for (const r of old.values()) changes.byMeasure[r.measure] = (changes.byMeasure[r.measure] ?? 0) + 1;
  changes.byMeasure = Object.fromEntries(Object.entries(changes.byMeasure).sort(([a], [b]) => (a < b ? -1 : 1)));
  return changes;
}
