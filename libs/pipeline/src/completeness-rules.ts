// The rules of completeness (operations.md), as pure functions: when a force-dataset-month is
// late, what volume its own history leads us to expect, and which state it is in.

export const LATE_AFTER_DAYS = 15;
/** Months of a force's own history an expectation is learned from, and the fewest it needs. */
export const HISTORY_MONTHS = 12;
export const MIN_HISTORY_MONTHS = 6;
/**
 * How many robust standard deviations from the median a volume must be to be anomalous: 3.5, the
 * cut-off Iglewicz and Hoaglin recommend for the modified z-score (0.6745 × (x − median) / MAD).
 */
export const ANOMALY_K = 3.5;
/** The scale that makes the MAD estimate a standard deviation under a normal distribution. */
export const MAD_SCALE = 1.4826;

export const completenessStates = ['closed', 'open', 'silent', 'late', 'anomalous'] as const;
export type CompletenessState = (typeof completenessStates)[number];

export const ANOMALY_RULE = `when a month's volume (distinct events accepted) is outside the median ± ${ANOMALY_K} × ${MAD_SCALE} × MAD `
  + `of the same force's previous ${HISTORY_MONTHS} months of that dataset that it reported (at least ${MIN_HISTORY_MONTHS}), `
  + `widened to what a Poisson count of that median takes but for a ${ANOMALY_K}-standard-deviation tail; `
  + 'judged once the month is closed or late; not judged for returns, which are due twice a year';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

function parts(month: string): [number, number] {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`not a month: ${month}`);
  return [Number(m[1]), Number(m[2])];
}

/** The month `n` months after `month` (before, for negative `n`). */
export function addMonths(month: string, n: number): string {
  const [y, m] = parts(month);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The instant a month ends: midnight UTC at the start of the next. */
export function monthEnd(month: string): Date {
  const [y, m] = parts(month);
  return new Date(Date.UTC(y, m, 1));
}

/** The month ended by `at`. */
export function isDue(month: string, at: Date): boolean {
  return at.getTime() >= monthEnd(month).getTime();
}

/** Not closed 15 days after the month's end. */
export function isLate(month: string, closed: boolean, at: Date): boolean {
  return !closed && at.getTime() >= monthEnd(month).getTime() + LATE_AFTER_DAYS * 86_400_000;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Expectation {
  median: number;
  /** The range of volumes that are not anomalous, inclusive. */
  low: number;
  high: number;
  /** How many months of history it was learned from. */
  months: number;
}

/** The chance a standard normal is above 3.5: the tail beyond which a count is anomalous. */
export const ANOMALY_TAIL = 2.326e-4;

/**
 * The counts a Poisson variable of this mean takes but for a tail of ANOMALY_TAIL each side: the
 * spread of counts that vary by chance alone. Exact for small means (where m ± 3.5 √m is too wide
 * below: a steady 12 a month has 0 with a chance of 6 in a million), the normal approximation above 400.
 */
export function poissonRange(mean: number): { low: number; high: number } {
  const m = Math.max(mean, 1);
  if (m > 400) {
    const spread = ANOMALY_K * Math.sqrt(m);
    return { low: Math.max(0, m - spread), high: m + spread };
  }
  let k = 0;
  let pmf = Math.exp(-m);
  let cdf = pmf;
  while (cdf < ANOMALY_TAIL) {
    k += 1;
    pmf *= m / k;
    cdf += pmf;
  }
  const low = k;
  while (1 - cdf >= ANOMALY_TAIL) {
    k += 1;
    pmf *= m / k;
    cdf += pmf;
  }
  return { low, high: k };
}

/**
 * What a month's volume is expected to be from the force's own history (the volumes of its
 * previous months that it reported, at most 12, since it first sent this dataset): the median,
 * give or take 3.5 robust standard deviations (1.4826 × the median absolute deviation), and never
 * less than the counts a Poisson variable of that mean takes by chance alone (its tails beyond
 * 3.5 standard deviations' worth), so a force whose months were all alike is not flagged for one
 * event more. Null with fewer than 6 months.
 */
export function expectation(history: readonly number[]): Expectation | null {
  if (history.length < MIN_HISTORY_MONTHS) return null;
  const m = median(history);
  const mad = median(history.map((v) => Math.abs(v - m)));
  const spread = ANOMALY_K * MAD_SCALE * mad;
  const chance = poissonRange(m);
  return { median: m, low: Math.max(0, Math.min(m - spread, chance.low)), high: Math.max(m + spread, chance.high), months: history.length };
}

export function isAnomalous(volume: number, expected: Expectation | null): boolean {
  if (!expected) return false;
  return volume < expected.low || volume > expected.high;
}

export interface CellFacts {
  /** Anything for the cell arrived (by the time judged at). */
  arrived: boolean;
  closed: boolean;
  late: boolean;
  anomalous: boolean;
}

/**
 * One state for a cell, the first that holds of: silent (nothing received and not closed: no
 * figure from it is a zero), late, anomalous, closed, open. Each condition is also reported on its
 * own, so a late month that is also anomalous says both.
 */
export function stateOf(c: CellFacts): CompletenessState {
  if (!c.arrived && !c.closed) return 'silent';
  if (c.late) return 'late';
  if (c.anomalous) return 'anomalous';
  if (c.closed) return 'closed';
  return 'open';
}
