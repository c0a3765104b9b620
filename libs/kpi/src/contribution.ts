// What one case contributes to the aggregates: counts per cell, and observations (day counts)
// per histogram cell for the medians. Aggregates are the sum of every case's contribution, so a
// case's change is applied as contribution(after) minus contribution(before).

export interface CellKey {
  measure: string;
  month: string;
  split: string;
  category: string;
}

export interface CountCell extends CellKey {
  value: number;
}

export interface Observation extends CellKey {
  days: number;
}

export interface Contribution {
  counts: CountCell[];
  observations: Observation[];
}

export const nothing: Contribution = { counts: [], observations: [] };

export interface ForceCountDelta extends CountCell { force: string }
export interface ForceHistogramDelta extends Observation { force: string; value: number }

const countKey = (force: string, c: CellKey) => `${force}\u0000${c.month}\u0000${c.measure}\u0000${c.split}\u0000${c.category}`;

/** The net change of many case transitions, per cell; cells that net to zero are dropped. */
export class Tally {
  private readonly counts = new Map<string, ForceCountDelta>();
  private readonly histograms = new Map<string, ForceHistogramDelta>();

  add(force: string, contribution: Contribution, sign: 1 | -1): void {
    for (const c of contribution.counts) {
      const k = countKey(force, c);
      const current = this.counts.get(k);
      if (current) current.value += sign * c.value;
      else this.counts.set(k, { force, measure: c.measure, month: c.month, split: c.split, category: c.category, value: sign * c.value });
    }
    for (const o of contribution.observations) {
      const k = `${countKey(force, o)}\u0000${o.days}`;
      const current = this.histograms.get(k);
      if (current) current.value += sign;
      else this.histograms.set(k, { force, measure: o.measure, month: o.month, split: o.split, category: o.category, days: o.days, value: sign });
    }
  }

  transition(force: string, before: Contribution, after: Contribution): void {
    this.add(force, before, -1);
    this.add(force, after, 1);
  }

  /**
   * Non-zero count deltas. Unordered: a force's cells have one writer (partitions are keyed by
   * force), so concurrent transactions never wait on each other's rows.
   */
  countDeltas(): ForceCountDelta[] {
    return [...this.counts.values()].filter((d) => d.value !== 0);
  }

  histogramDeltas(): ForceHistogramDelta[] {
    return [...this.histograms.values()].filter((d) => d.value !== 0);
  }
}
