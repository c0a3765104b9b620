// Exact medians from histograms of day counts (kpis.md, "Median"): PostgreSQL's
// percentile_cont(0.5), linear interpolation between the two middle values. Histograms of
// months and forces are merged by adding counts, so a half-year or national median is the
// median of all its observations, never a median of medians.

export type Histogram = ReadonlyMap<number, number>;

export function mergeHistograms(histograms: Iterable<Histogram>): Map<number, number> {
  const merged = new Map<number, number>();
  for (const h of histograms) for (const [days, count] of h) merged.set(days, (merged.get(days) ?? 0) + count);
  return merged;
}

export function median(histogram: Histogram): { median: number; n: number } | null {
  const entries = [...histogram].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const n = entries.reduce((sum, [, count]) => sum + count, 0);
  if (n === 0) return null;
  const position = (n - 1) / 2;
  const at = (rank: number) => {
    let seen = 0;
    for (const [days, count] of entries) {
      seen += count;
      if (rank < seen) return days;
    }
    throw new Error('rank beyond the histogram');
  };
  const low = at(Math.floor(position));
  const high = at(Math.ceil(position));
  return { median: low + (position - Math.floor(position)) * (high - low), n };
}
