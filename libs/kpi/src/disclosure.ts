// Disclosure control of force-level values (kpis.md, "Disclosure control"). Pure: it decides
// which published cells are withheld; the unsuppressed values never leave the caller.

/** Counts from 1 to 4 are too small to publish in a force's split. */
export function isSmallCount(value: number): boolean {
  return value >= 1 && value <= 4;
}

/** A rate's denominator, or a median's n, below this is too small a base for a force. */
export const MIN_BASE = 10;

export function isSmallBase(base: number): boolean {
  return base >= 1 && base < MIN_BASE;
}

/**
 * Completes the suppression of one force's split (not `all`), in category order. `primary` says
 * which cells a rule withholds; `sizes` is what each cell would give away (a count, a rate's
 * denominator, a median's n). When exactly one cell is withheld, its size could be recovered as
 * the `all` total minus the others, so the next-smallest non-zero cell is withheld too (the
 * first in category order on a tie). When no other non-zero cell exists, the smallest remaining
 * cell (a zero) is withheld instead, unless `zeros` is false: then nothing more is withheld here,
 * and the protection across tables (audit/witness.ts) withholds the split's `all`, or another
 * table's cell, instead.
 */
export function complementSplit(sizes: readonly number[], primary: readonly boolean[], zeros = true): boolean[] {
  const suppressed = [...primary];
  if (suppressed.filter(Boolean).length !== 1) return suppressed;
  const candidates = sizes.map((value, index) => ({ value, index })).filter(({ index }) => !suppressed[index]);
  const nonZero = candidates.filter(({ value }) => value > 0);
  const pool = nonZero.length > 0 || !zeros ? nonZero : candidates;
  const next = pool.reduce<{ value: number; index: number } | null>((best, c) => (best === null || c.value < best.value ? c : best), null);
  if (next) suppressed[next.index] = true;
  return suppressed;
}

/** The counts of one force's split (not `all`): every 1-4 withheld, then the complement. */
export function suppressSplit(values: readonly number[], inherited: readonly boolean[] = [], zeros = true): boolean[] {
  return complementSplit(values, values.map((v, i) => isSmallCount(v) || inherited[i] === true), zeros);
}

/** The rates of one force's split (not `all`): a numerator 1-4 or a denominator under 10 withheld, then the complement by denominator. */
export function suppressRateSplit(numerators: readonly number[], denominators: readonly number[], inherited: readonly boolean[] = [], zeros = true): boolean[] {
  return complementSplit(denominators, numerators.map((n, i) => isSmallCount(n) || isSmallBase(denominators[i]!) || inherited[i] === true), zeros);
}

/** The medians of one force's split (not `all`): n under 10 withheld, then the complement by n. */
export function suppressMedianSplit(ns: readonly number[], inherited: readonly boolean[] = [], zeros = true): boolean[] {
  return complementSplit(ns, ns.map((n, i) => isSmallBase(n) || inherited[i] === true), zeros);
}
