// The published tidy rows (kpis.md, "The published report") and their two serialisations.

export interface PublishedRow {
  period: string;
  geography: string;
  kpi: string;
  measure: string;
  split: string;
  category: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  n: number | null;
  suppressed: boolean;
  /**
   * Not every force-month behind the row was closed (`submission.closed`) by the cut-off: the
   * figure may still change. A force row for which nothing at all was received (and nothing
   * closed) has no value: "nothing received" is never published as 0.
   */
  provisional: boolean;
  /** Forces whose data the row holds: those that sent something, or closed, for every month of it (0 or 1 for a force). */
  forcesIncluded: number;
  /** Forces that had closed every month of the row by the cut-off (0 or 1 for a force). */
  forcesClosed: number;
}

export const rowColumns = [
  'period', 'geography', 'kpi', 'measure', 'split', 'category', 'value', 'numerator', 'denominator', 'n', 'suppressed',
  'provisional', 'forcesIncluded', 'forcesClosed',
] as const;

const sortKeys = ['period', 'geography', 'kpi', 'measure', 'split', 'category'] as const;

/** Sorted by period, geography, kpi, measure, split, category, comparing code points. */
export function sortRows(rows: PublishedRow[]): PublishedRow[] {
  return rows.sort((a, b) => {
    for (const k of sortKeys) {
      if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
    }
    return 0;
  });
}

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly PublishedRow[]): string {
  const lines = [rowColumns.join(',')];
  for (const row of rows) lines.push(rowColumns.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** One row per line, keys in column order: byte-stable and readable in a diff. */
export function toJson(rows: readonly PublishedRow[]): string {
  const lines = rows.map((row) => JSON.stringify(Object.fromEntries(rowColumns.map((c) => [c, row[c]]))));
  return `[\n${lines.join(',\n')}\n]\n`;
}
