// Disclosure control of force-level counts (kpis.md, "Disclosure control"). Pure: it decides
// which published cells are withheld; the unsuppressed values never leave the caller.

/** Counts from 1 to 4 are too small to publish in a force's split. */
export function isSmallCount(value: number): boolean {
  return value >= 1 && value <= 4;
}

/**
 * Given the counts of one force's split (not `all`), in category order, returns which to suppress.
 * Primary: every count 1-4. Complementary: when exactly one cell is suppressed, its value could be
 * recovered as `all` minus the others, so the next-smallest non-zero cell is suppressed too (the
 * first in category order on a tie). When no other non-zero cell exists, the smallest remaining
 * cell (a zero) is suppressed instead: the spec is silent there, and protection must win.
 */
export function suppressSplit(values: readonly number[]): boolean[] {
  const suppressed = values.map(isSmallCount);
  if (suppressed.filter(Boolean).length !== 1) return suppressed;
  const candidates = values
    .map((value, index) => ({ value, index }))
    .filter(({ index }) => !suppressed[index]);
  const nonZero = candidates.filter(({ value }) => value > 0);
  const pool = nonZero.length > 0 ? nonZero : candidates;
  const next = pool.reduce<{ value: number; index: number } | null>(
    (best, c) => (best === null || c.value < best.value ? c : best),
    null,
  );
  if (next) suppressed[next.index] = true;
  return suppressed;
}
