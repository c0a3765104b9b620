// The reference data of spec/reference, copied into contracts/reference and read once at load.
// Kept as CSV (not TypeScript) so a change to the published lists is a data change anyone can review.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

const referenceDir = new URL('../reference/', import.meta.url);

function readCsv<K extends string>(file: string, columns: readonly K[]): Record<K, string>[] {
  const rows: Record<K, string>[] = parse(readFileSync(new URL(file, referenceDir)), {
    columns: true,
    skip_empty_lines: true,
    trim: true,
  });
  for (const column of columns) {
    if (rows[0] && !(column in rows[0])) {
      throw new Error(`reference/${file}: missing column ${column}`);
    }
  }
  return rows;
}

export interface Force { id: string; name: string; onsCode: string; country: string }
export interface OffenceGroup { id: string; title: string; threatArea: string }
export interface OutcomeCode { code: string; title: string; group: string; cjOutcome: 'formal' | 'informal' | null }
export interface OrderType { id: string; title: string; appliedBy: string; notice: boolean }
export interface AllegationCategory { id: string; title: string }
export interface AllegationOutcome { id: string; title: string; group: string }

export const forces: readonly Force[] = readCsv('forces.csv', ['id', 'name', 'ons_code', 'country']).map(
  (r) => ({ id: r.id, name: r.name, onsCode: r.ons_code, country: r.country }),
);

export const offenceGroups: readonly OffenceGroup[] = readCsv('offence-groups.csv', ['id', 'title', 'threat_area']).map(
  (r) => ({ id: r.id, title: r.title, threatArea: r.threat_area }),
);

export const outcomeCodes: readonly OutcomeCode[] = readCsv('outcome-codes.csv', ['code', 'title', 'group', 'cj_outcome']).map(
  (r) => ({
    code: r.code,
    title: r.title,
    group: r.group,
    cjOutcome: r.cj_outcome === 'formal' || r.cj_outcome === 'informal' ? r.cj_outcome : null,
  }),
);

export const orderTypes: readonly OrderType[] = readCsv('order-types.csv', ['id', 'title', 'applied_by', 'notice']).map(
  (r) => ({ id: r.id, title: r.title, appliedBy: r.applied_by, notice: r.notice === 'true' }),
);

export const allegationCategories: readonly AllegationCategory[] = readCsv('allegation-categories.csv', ['id', 'title']);

export const allegationOutcomes: readonly AllegationOutcome[] = readCsv('allegation-outcomes.csv', ['id', 'title', 'group']);

/** The out-of-scope offence group: a crime reclassified into it leaves every VAWG count. */
export const NOT_VAWG = 'not-vawg';

export const forceIds: readonly string[] = forces.map((f) => f.id);

function nonEmpty(values: readonly string[], what: string): [string, ...string[]] {
  const [first, ...rest] = values;
  if (first === undefined) throw new Error(`reference: no ${what}`);
  return [first, ...rest];
}

// The id lists as non-empty tuples, the form z.enum takes.
export const forceIdTuple = nonEmpty(forceIds, 'forces');
export const offenceGroupIdTuple = nonEmpty(offenceGroups.map((g) => g.id), 'offence groups');
export const outcomeCodeTuple = nonEmpty(outcomeCodes.map((o) => o.code), 'outcome codes');
export const orderTypeTuple = nonEmpty(orderTypes.map((o) => o.id), 'order types');
export const allegationCategoryTuple = nonEmpty(allegationCategories.map((c) => c.id), 'allegation categories');
export const allegationOutcomeTuple = nonEmpty(allegationOutcomes.map((o) => o.id), 'allegation outcomes');
