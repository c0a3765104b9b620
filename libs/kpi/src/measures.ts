import { crimeSplitNames } from './splits.ts';

// The catalogue of published measures (kpis.md, "The measures"). A measure's splits say which
// rows it is published with; `kind` says how a row's value is made and protected.

export type MeasureKind = 'count';

export interface Measure {
  kpi: string;
  id: string;
  kind: MeasureKind;
  /** Names of the splits (keys of crimeSplits for crime-based measures). */
  splits: readonly string[];
}


export const measures: readonly Measure[] = [
  { kpi: '5.1', id: 'crimes-recorded', kind: 'count', splits: crimeSplitNames },
  { kpi: '5.1', id: 'crimes-domestic-abuse', kind: 'count', splits: crimeSplitNames },
];
