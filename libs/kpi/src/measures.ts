import { crimeSplitNames } from './splits.ts';

// The catalogue of published measures (kpis.md, "The measures"): how each row's value is made
// from the aggregate's cells, which splits it is published for, and how it is protected.
//
// - `count`: the sum of a count cell over the period's months.
// - `stock`: a count standing at the end of the period: the sum of monthly changes from the
//   beginning of time to the period's last month (5.4).
// - `rate`: numerator over denominator, both count cells, as a percentage.
// - `median`: of the day counts of a histogram cell over the period's months.
//
// `guard` names a published count measure whose suppression a row inherits, category by category:
// a rate's denominator, or a median's n, is that measure's count, so publishing it where the
// count is withheld would give the count away.

interface Common {
  kpi: string;
  id: string;
  splits: readonly string[];
  guard?: string;
}
export type Measure =
  | (Common & { kind: 'count' | 'stock'; source: string })
  | (Common & { kind: 'rate'; numerator: string; denominator: string })
  | (Common & { kind: 'median'; source: string });
export type MeasureKind = Measure['kind'];

const crime = crimeSplitNames;
const withCrime = (...own: string[]) => [...crimeSplitNames, ...own];

export const measures: readonly Measure[] = [
  { kpi: '1.1', id: 'allegations-received', kind: 'count', source: 'allegations-received', splits: ['all', 'allegation-category', 'allegation-kind'] },
  { kpi: '1.2', id: 'allegations-finalised', kind: 'count', source: 'allegations-finalised', splits: ['all', 'allegation-outcome', 'allegation-outcome-group'] },
  { kpi: '1.3', id: 'median-days-allegation-to-outcome', kind: 'median', source: 'days-allegation-to-outcome', splits: ['all', 'allegation-category', 'allegation-kind'] },
  { kpi: '5.1', id: 'crimes-recorded', kind: 'count', source: 'crimes-recorded', splits: crime },
  { kpi: '5.1', id: 'crimes-domestic-abuse', kind: 'count', source: 'crimes-domestic-abuse', splits: crime },
  { kpi: '5.2', id: 'outcomes-assigned', kind: 'count', source: 'outcomes-assigned', splits: withCrime('outcome-group') },
  { kpi: '5.2', id: 'cj-outcomes-assigned', kind: 'count', source: 'cj-outcomes-assigned', splits: withCrime('cj-outcome') },
  { kpi: '5.2', id: 'charge-rate', kind: 'rate', numerator: 'crimes-charged', denominator: 'crimes-recorded', splits: crime, guard: 'crimes-recorded' },
  { kpi: '5.3', id: 'median-days-to-outcome', kind: 'median', source: 'days-to-outcome', splits: crime, guard: 'outcomes-assigned' },
  { kpi: '5.4', id: 'outstanding-suspects', kind: 'stock', source: 'outstanding-suspects-change', splits: crime },
  { kpi: '6.1', id: 'orders-applied', kind: 'count', source: 'orders-applied', splits: ['all', 'order-type'] },
  { kpi: '6.1', id: 'orders-granted', kind: 'count', source: 'orders-granted', splits: ['all', 'order-type'] },
  { kpi: '6.2', id: 'orders-breached', kind: 'count', source: 'orders-breached', splits: ['all', 'order-type'] },
  { kpi: '6.3', id: 'dvds-applications', kind: 'count', source: 'dvds-applications', splits: ['all', 'dvds-route'] },
  { kpi: '6.3', id: 'dvds-disclosures', kind: 'count', source: 'dvds-disclosures', splits: ['all', 'dvds-route'] },
  { kpi: '6.4', id: 'median-days-dvds-decision', kind: 'median', source: 'days-dvds-decision', splits: ['all', 'dvds-route'] },
  { kpi: '7.1', id: 'victim-withdrawal-suspect-identified', kind: 'rate', numerator: 'outcomes-code-16', denominator: 'outcomes-assigned', splits: crime, guard: 'outcomes-assigned' },
  { kpi: '7.2', id: 'victim-withdrawal-no-suspect', kind: 'rate', numerator: 'outcomes-code-14', denominator: 'outcomes-assigned', splits: crime, guard: 'outcomes-assigned' },
  { kpi: '8.1', id: 'evidential-difficulties-victim-supports', kind: 'rate', numerator: 'outcomes-code-15', denominator: 'outcomes-assigned', splits: crime, guard: 'outcomes-assigned' },
  { kpi: 'P1', id: 'sex-recorded-rate', kind: 'rate', numerator: 'crimes-sex-recorded', denominator: 'crimes-recorded', splits: crime, guard: 'crimes-recorded' },
  { kpi: 'P2', id: 'ethnicity-recorded-rate', kind: 'rate', numerator: 'crimes-ethnicity-recorded', denominator: 'crimes-recorded', splits: crime, guard: 'crimes-recorded' },
];

/** The aggregate's change measures read from the beginning of time. */
export const stockSources = measures.flatMap((m) => (m.kind === 'stock' ? [m.source] : []));
