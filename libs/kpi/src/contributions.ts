// What one case contributes to the count cells, and how that changes when the case changes.
// Aggregates are kept as the sum of contributions, so an update is contribution(after) minus
// contribution(before): a correction moves a crime between cells, a removal takes it out of all.
import { NOT_VAWG } from '@vawg/contracts';
import { monthOf } from './periods.ts';
import { crimeCategories, type CrimeFacts } from './splits.ts';

export interface CrimeState extends CrimeFacts {
  force: string;
  /** `occurredAt` of the crime.recorded event in force. */
  recordedOn: string;
  domesticAbuse: boolean;
}

export interface Cell {
  force: string;
  month: string;
  measure: string;
  split: string;
  category: string;
}

export interface CellDelta extends Cell {
  delta: number;
}

/** A crime counts while its group is a VAWG group (cancellation and retraction come with issue 4). */
export function inScope(crime: CrimeState): boolean {
  return crime.offenceGroup !== NOT_VAWG;
}

export function crimeContributions(crime: CrimeState | null): Cell[] {
  if (!crime || !inScope(crime)) return [];
  const month = monthOf(crime.recordedOn);
  const measures = crime.domesticAbuse ? ['crimes-recorded', 'crimes-domestic-abuse'] : ['crimes-recorded'];
  return measures.flatMap((measure) =>
    crimeCategories(crime).map(({ split, category }) => ({ force: crime.force, month, measure, split, category })),
  );
}

const keyOf = (c: Cell) => `${c.force}\u0000${c.month}\u0000${c.measure}\u0000${c.split}\u0000${c.category}`;

/** Accumulates the net change of many case transitions; cells that net to zero are dropped. */
export class DeltaSet {
  private readonly deltas = new Map<string, CellDelta>();

  add(cells: Cell[], sign: 1 | -1): void {
    for (const cell of cells) {
      const key = keyOf(cell);
      const current = this.deltas.get(key);
      if (current) current.delta += sign;
      else this.deltas.set(key, { ...cell, delta: sign });
    }
  }

  transition(before: Cell[], after: Cell[]): void {
    this.add(before, -1);
    this.add(after, 1);
  }

  /** Non-zero deltas in a fixed order, so concurrent writers lock rows in the same order. */
  toArray(): CellDelta[] {
    return [...this.deltas.entries()]
      .filter(([, d]) => d.delta !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, d]) => d);
  }
}
