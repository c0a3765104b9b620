// The additive relations between published cells (issue 11): what a reader of cells.json knows
// holds between them by construction, whatever the data. Each relation says that a sum of
// published quantities, with coefficients, is zero. Pure: rows in, relations out.
//
// - geography: national = the sum of the forces it includes;
// - time: a half-year's flow = the sum of its six months; a stock's half-year = its last month;
// - split: a split's `all` = the sum of its categories;
// - linked splits: sex `female` = women + girls + female-age-not-recorded; `not-female` = the other sexes;
//   an allegation outcome group = the sum of its outcomes;
// - between measures: a rate's denominator is its base count, a median's n its count; P1's and
//   P2's denominator less numerator is the count "not recorded"; 8.1's numerator is an outcome
//   group, 7.1's and 7.2's together another; the criminal-justice outcomes are sums of groups.
import { ageBands, allegationOutcomes, childAgeBands, outcomeCodes } from '@vawg/contracts';
import type { PublishedRow } from '../cells.ts';
import { measures, type Measure } from '../measures.ts';
import { NATIONAL } from '../publication.ts';

export type Field = 'value' | 'numerator' | 'denominator' | 'n';
export type RelationKind = 'geography' | 'time' | 'split' | 'linked-split' | 'measure';

export interface Relation {
  kind: RelationKind;
  /** Σ coef · quantity = 0. */
  terms: { key: string; coef: number }[];
}

const byId = new Map<string, Measure>(measures.map((m) => [m.id, m]));

/** The additive quantities a row of a measure carries (a median's value is not one; its n is). */
export function fieldsOf(measure: string): Field[] {
  const m = byId.get(measure);
  if (!m) return [];
  if (m.kind === 'rate') return ['numerator', 'denominator'];
  if (m.kind === 'median') return ['n'];
  return ['value'];
}

export const quantityKey = (period: string, geography: string, measure: string, split: string, category: string, field: Field) =>
  JSON.stringify([period, geography, measure, split, category, field]);

/** Every quantity the rows hold a number for: key → value. */
export function quantitiesOf(rows: readonly PublishedRow[]): Map<string, number> {
  const values = new Map<string, number>();
  for (const r of rows) {
    for (const f of fieldsOf(r.measure)) {
      const v = r[f];
      if (v !== null) values.set(quantityKey(r.period, r.geography, r.measure, r.split, r.category, f), v);
    }
  }
  return values;
}

/** Whether a row is part of the publication's arithmetic: published, or withheld (not "nothing received"). */
const counted = (r: PublishedRow) => r.suppressed || r.value !== null || r.numerator !== null || r.n !== null;

/** Every relation between the quantities of a half-year's rows (`months`: its six, in order). */
export function relationsOf(rows: readonly PublishedRow[], halfYear: string, months: readonly string[]): Relation[] {
  const index = new Map<string, PublishedRow>();
  for (const r of rows) index.set(JSON.stringify([r.period, r.geography, r.measure, r.split, r.category]), r);
  const row = (period: string, geography: string, measure: string, split: string, category: string) =>
    index.get(JSON.stringify([period, geography, measure, split, category]));
  const relations: Relation[] = [];
  /** A relation over rows that all count; dropped if any is "nothing received" (it holds no number). */
  const add = (kind: RelationKind, parts: { r: PublishedRow | undefined; field: Field; coef: number }[]) => {
    if (parts.some((p) => !p.r || !counted(p.r))) return;
    relations.push({ kind, terms: parts.map((p) => ({ key: quantityKey(p.r!.period, p.r!.geography, p.r!.measure, p.r!.split, p.r!.category, p.field), coef: p.coef })) });
  };

  const geographies = [...new Set(rows.map((r) => r.geography))].filter((g) => g !== NATIONAL);
  const periods = [halfYear, ...months];
  // The categories published for each measure and split, in one pass.
  const categoriesOf = new Map<string, Set<string>>();
  for (const r of rows) {
    const k = `${r.measure}\u0000${r.split}`;
    (categoriesOf.get(k) ?? categoriesOf.set(k, new Set()).get(k)!).add(r.category);
  }
  for (const m of measures) {
    const fields = fieldsOf(m.id);
    for (const split of m.splits) {
      const categories = [...(categoriesOf.get(`${m.id}\u0000${split}`) ?? [])];
      for (const field of fields) {
        for (const period of periods) {
          for (const category of categories) {
            // Geography: national is the sum of the forces it includes.
            const national = row(period, NATIONAL, m.id, split, category);
            const forces = geographies.map((g) => row(period, g, m.id, split, category)).filter((r): r is PublishedRow => !!r && counted(r));
            if (national && counted(national)) add('geography', [{ r: national, field, coef: 1 }, ...forces.map((r) => ({ r, field, coef: -1 }))]);
          }
          // Split: `all` is the sum of the categories.
          if (split !== 'all') {
            for (const geography of [NATIONAL, ...geographies]) {
              add('split', [{ r: row(period, geography, m.id, 'all', 'all'), field, coef: 1 },
                ...categories.map((c) => ({ r: row(period, geography, m.id, split, c), field, coef: -1 }))]);
            }
          }
        }
        // Time: a flow's half-year is the sum of its months; a stock's, its last month.
        for (const geography of [NATIONAL, ...geographies]) {
          for (const category of categories) {
            const half = row(halfYear, geography, m.id, split, category);
            const parts = m.kind === 'stock' ? [months.at(-1)!] : months;
            add('time', [{ r: half, field, coef: 1 }, ...parts.map((month) => ({ r: row(month, geography, m.id, split, category), field, coef: -1 }))]);
          }
        }
      }
      // An allegation outcome group is the sum of its outcomes.
      if (split === 'allegation-outcome-group' && m.splits.includes('allegation-outcome')) {
        for (const field of fields) {
          for (const period of periods) {
            for (const geography of [NATIONAL, ...geographies]) {
              for (const group of categories) {
                add('linked-split', [{ r: row(period, geography, m.id, split, group), field, coef: 1 },
                  ...allegationOutcomes.filter((o) => o.group === group).map((o) => ({ r: row(period, geography, m.id, 'allegation-outcome', o.id), field, coef: -1 }))]);
              }
            }
          }
        }
      }
      // Linked splits, where a measure has both.
      if (split === 'women-and-girls' && m.splits.includes('sex')) {
        for (const field of fields) {
          for (const period of periods) {
            for (const geography of [NATIONAL, ...geographies]) {
              const at = (s: string, c: string) => row(period, geography, m.id, s, c);
              add('linked-split', [{ r: at('sex', 'female'), field, coef: 1 },
                ...['women', 'girls', 'female-age-not-recorded'].map((c) => ({ r: at('women-and-girls', c), field, coef: -1 }))]);
              add('linked-split', [{ r: at('women-and-girls', 'not-female'), field, coef: 1 },
                ...['male', 'other', 'not-recorded'].map((c) => ({ r: at('sex', c), field, coef: -1 }))]);
            }
          }
        }
      }
    }
  }
  measureRelations(categoriesOf, row, periods, [NATIONAL, ...geographies], add);
  return relations;
}

type Row = (period: string, geography: string, measure: string, split: string, category: string) => PublishedRow | undefined;
interface Part { r: PublishedRow | undefined; field: Field; coef: number }
type Add = (kind: RelationKind, parts: Part[]) => void;

/** The groups of outcome codes all of whose codes are of one criminal-justice kind. */
function cjGroups(kind: 'formal' | 'informal'): string[] {
  const groups = [...new Set(outcomeCodes.map((o) => o.group))];
  return groups.filter((g) => outcomeCodes.filter((o) => o.group === g).every((o) => o.cjOutcome === kind));
}

function measureRelations(categoriesOf: ReadonlyMap<string, ReadonlySet<string>>, row: Row, periods: readonly string[], geographies: readonly string[], add: Add): void {
  const splitsOf = (id: string) => [...categoriesOf].flatMap(([k, cs]) => (k.startsWith(`${id}\u0000`) ? [...cs].map((c) => `${k.slice(id.length + 1)}\u0000${c}`) : []));
  for (const period of periods) {
    for (const geography of geographies) {
      const at = (measure: string, split = 'all', category = 'all') => row(period, geography, measure, split, category);
      for (const m of measures) {
        if (!m.guard) continue;
        // A rate's denominator, or a median's n, is its base count, category by category.
        for (const sc of splitsOf(m.id)) {
          const [split, category] = sc.split('\u0000') as [string, string];
          add('measure', [{ r: at(m.id, split, category), field: m.kind === 'median' ? 'n' : 'denominator', coef: 1 }, { r: at(m.guard, split, category), field: 'value', coef: -1 }]);
        }
      }
      // What P1 and P2 say was not recorded is a category of 5.1.
      add('measure', [{ r: at('sex-recorded-rate'), field: 'denominator', coef: 1 }, { r: at('sex-recorded-rate'), field: 'numerator', coef: -1 },
        { r: at('crimes-recorded', 'sex', 'not-recorded'), field: 'value', coef: -1 }]);
      add('measure', [{ r: at('ethnicity-recorded-rate'), field: 'denominator', coef: 1 }, { r: at('ethnicity-recorded-rate'), field: 'numerator', coef: -1 },
        { r: at('crimes-recorded', 'ethnicity', 'not-recorded'), field: 'value', coef: -1 }]);
      // P1 and P2 by construction: a crime in a category that records the victim's sex (ethnicity)
      // has it recorded, and one in "not recorded" has not.
      for (const [rate, split, wag] of [['sex-recorded-rate', 'sex', true], ['ethnicity-recorded-rate', 'ethnicity', false]] as const) {
        const categories = [...(categoriesOf.get(`${rate}\u0000${split}`) ?? [])];
        const recorded = [...categories.filter((c) => c !== 'not-recorded').map((c) => [split, c] as const),
          ...(wag ? ['women', 'girls', 'female-age-not-recorded'].map((c) => ['women-and-girls', c] as const) : [])];
        for (const [s, c] of recorded) add('measure', [{ r: at(rate, s, c), field: 'numerator', coef: 1 }, { r: at(rate, s, c), field: 'denominator', coef: -1 }]);
        if (categories.includes('not-recorded')) add('measure', [{ r: at(rate, split, 'not-recorded'), field: 'numerator', coef: 1 }]);
      }
      // Outcome codes 15, and 14 with 16, are outcome groups of 5.2.
      add('measure', [{ r: at('evidential-difficulties-victim-supports'), field: 'numerator', coef: 1 },
        { r: at('outcomes-assigned', 'outcome-group', 'evidential-difficulties-victim-supports'), field: 'value', coef: -1 }]);
      add('measure', [{ r: at('victim-withdrawal-suspect-identified'), field: 'numerator', coef: 1 }, { r: at('victim-withdrawal-no-suspect'), field: 'numerator', coef: 1 },
        { r: at('outcomes-assigned', 'outcome-group', 'evidential-difficulties-victim-does-not-support'), field: 'value', coef: -1 }]);
      // Criminal-justice outcomes are sums of outcome groups.
      for (const kind of ['formal', 'informal'] as const) {
        add('measure', [{ r: at('cj-outcomes-assigned', 'cj-outcome', kind), field: 'value', coef: 1 },
          ...cjGroups(kind).map((g): Part => ({ r: at('outcomes-assigned', 'outcome-group', g), field: 'value', coef: -1 }))]);
      }
    }
  }
}

/**
 * What a reader also knows holds as an inequality (Σ coef · quantity ≤ 0): a rate's numerator is at
 * most its denominator; crimes of domestic abuse are at most the crimes recorded; criminal-justice
 * outcomes at most the outcomes assigned, and so are the outcomes 14, 15 and 16 together; girls at most
 * the child age bands, women the adult ones, female-age-not-recorded the age not recorded.
 */
export function inequalitiesOf(rows: readonly PublishedRow[]): Relation[] {
  const index = new Map<string, PublishedRow>();
  for (const r of rows) index.set(JSON.stringify([r.period, r.geography, r.measure, r.split, r.category]), r);
  const at = (r: PublishedRow, measure: string, split = r.split, category = r.category) =>
    index.get(JSON.stringify([r.period, r.geography, measure, split, category]));
  const out: Relation[] = [];
  const add = (parts: { r: PublishedRow | undefined; field: Field; coef: number }[]) => {
    if (parts.some((p) => !p.r || !counted(p.r))) return;
    out.push({ kind: 'measure', terms: parts.map((p) => ({ key: quantityKey(p.r!.period, p.r!.geography, p.r!.measure, p.r!.split, p.r!.category, p.field), coef: p.coef })) });
  };
  const adult = ageBands.filter((b) => b !== 'not-recorded' && !childAgeBands.includes(b));
  for (const r of rows) {
    const m = byId.get(r.measure);
    if (!m) continue;
    if (m.kind === 'rate') add([{ r, field: 'numerator', coef: 1 }, { r, field: 'denominator', coef: -1 }]);
    if (m.id === 'crimes-domestic-abuse') add([{ r, field: 'value', coef: 1 }, { r: at(r, 'crimes-recorded'), field: 'value', coef: -1 }]);
    if (m.id === 'cj-outcomes-assigned' && r.split !== 'cj-outcome') add([{ r, field: 'value', coef: 1 }, { r: at(r, 'outcomes-assigned'), field: 'value', coef: -1 }]);
    // The victim-withdrawal and evidential-difficulty outcomes (codes 14, 16, 15) are outcomes assigned.
    if (m.id === 'outcomes-assigned' && r.split !== 'outcome-group') {
      add([{ r, field: 'value', coef: -1 }, ...['victim-withdrawal-suspect-identified', 'victim-withdrawal-no-suspect', 'evidential-difficulties-victim-supports']
        .map((id): Part => ({ r: at(r, id), field: 'numerator', coef: 1 }))]);
    }
    if (r.split === 'women-and-girls' && r.category === 'female-age-not-recorded') {
      for (const field of fieldsOf(m.id)) add([{ r, field, coef: 1 }, { r: at(r, m.id, 'age', 'not-recorded'), field, coef: -1 }]);
    }
    if (r.split === 'women-and-girls' && (r.category === 'girls' || r.category === 'women')) {
      const bands = r.category === 'girls' ? childAgeBands : adult;
      for (const field of fieldsOf(m.id)) add([{ r, field, coef: 1 }, ...bands.map((b) => ({ r: at(r, m.id, 'age', b), field, coef: -1 }))]);
    }
  }
  return out;
}
