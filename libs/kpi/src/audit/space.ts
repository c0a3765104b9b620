// The quantities of a half-year's publication and what ties them (issue 11), indexed for the
// witnesses (witness.ts): every quantity's true value and cell, the equalities (relations.ts) and
// inequalities a reader knows, and, for a set of withheld cells, what a reader may assume of
// each withheld quantity. Pure.
import type { PublishedRow } from '../cells.ts';
import { measures } from '../measures.ts';
import { NATIONAL } from '../publication.ts';
import { fieldsOf, quantityKey, type Relation } from './relations.ts';
import { blockLabeller, cellKey } from './system.ts';

export interface Constraint {
  q: Int32Array;
  c: Float64Array;
  /** National = Σ forces: the one kind of relation where a withheld quantity may be 0. */
  geography: boolean;
}

export interface Space {
  keys: string[];
  value: Float64Array;
  /** Each quantity's cell (an index into `cells`). */
  cell: Int32Array;
  cells: string[];
  quantitiesOfCell: number[][];
  national: Uint8Array;
  /** A rate's numerator: a reader may assume no more than 0 of it. */
  numerator: Uint8Array;
  /** What the rules protect once withheld: a count's value, a rate's numerator, the n of a median with no count of its own. */
  protects: Uint8Array;
  /** Σ c · x = 0. */
  equalities: Constraint[];
  /** Σ c · x ≤ 0. */
  inequalities: Constraint[];
  equalitiesOf: number[][];
  inequalitiesOf: number[][];
  /** Each quantity's table (measure group and split family) and geography. */
  block: string[];
  geography: string[];
}

const byId = new Map(measures.map((m) => [m.id, m]));

/** The space of a half-year: its true rows (before any withholding), equalities and inequalities. */
export function spaceOf(truth: readonly PublishedRow[], relations: readonly Relation[], inequalities: readonly Relation[]): Space {
  const keys: string[] = [], value: number[] = [], cell: number[] = [], cells: string[] = [];
  const quantitiesOfCell: number[][] = [], national: number[] = [], numerator: number[] = [], protects: number[] = [];
  const block: string[] = [], geography: string[] = [];
  const index = new Map<string, number>();
  const blockOf = blockLabeller([...relations, ...inequalities]);
  for (const r of truth) {
    const m = byId.get(r.measure);
    if (!m) continue;
    const c = cells.length;
    const own: number[] = [];
    for (const f of fieldsOf(r.measure)) {
      const v = r[f];
      if (v === null) continue;
      const key = quantityKey(r.period, r.geography, r.measure, r.split, r.category, f);
      index.set(key, keys.length);
      own.push(keys.length);
      keys.push(key);
      value.push(v);
      cell.push(c);
      national.push(r.geography === NATIONAL ? 1 : 0);
      numerator.push(f === 'numerator' ? 1 : 0);
      protects.push(f === 'numerator' || (f === 'value' && (m.kind === 'count' || m.kind === 'stock')) || (f === 'n' && !m.guard) ? 1 : 0);
      block.push(blockOf(key));
      geography.push(r.geography);
    }
    if (own.length === 0) continue;
    cells.push(cellKey(r));
    quantitiesOfCell.push(own);
  }
  const constraints = (list: readonly Relation[]) => list.flatMap((rel): Constraint[] => {
    const q = rel.terms.map((t) => index.get(t.key));
    if (q.some((i) => i === undefined)) return [];
    return [{ q: Int32Array.from(q as number[]), c: Float64Array.from(rel.terms.map((t) => t.coef)), geography: rel.kind === 'geography' }];
  });
  const equalities = constraints(relations);
  const inequalitiesList = constraints(inequalities);
  const of = (list: readonly Constraint[]) => {
    const out = keys.map((): number[] => []);
    list.forEach((k, i) => { for (const q of new Set(k.q)) out[q]!.push(i); });
    return out;
  };
  return {
    keys, value: Float64Array.from(value), cell: Int32Array.from(cell), cells, quantitiesOfCell,
    national: Uint8Array.from(national), numerator: Uint8Array.from(numerator), protects: Uint8Array.from(protects),
    equalities, inequalities: inequalitiesList, equalitiesOf: of(equalities), inequalitiesOf: of(inequalitiesList), block, geography,
  };
}

/**
 * What a reader who knows the rules may assume of each withheld quantity, as a least value: a rate's
 * numerator 0; any other quantity 1, since zeros are published, except where the forces' cells
 * published beside it under a national figure are all zeros (a force holding a whole national figure
 * alone): the one place the rules withhold zeros, which a reader can see, so there it may be 0.
 * National figures are never withheld, so withholding more only lowers these: what holds of a
 * witness stays true as more is withheld.
 */
export function readerLower(space: Space, withheld: Uint8Array): Float64Array {
  const lo = new Float64Array(space.keys.length);
  for (let q = 0; q < lo.length; q += 1) lo[q] = space.numerator[q] ? 0 : 1;
  for (const e of space.equalities) {
    if (!e.geography) continue;
    let zeroOnly = true;
    for (const q of e.q) if (!withheld[space.cell[q]!] && !space.national[q] && space.value[q] !== 0) { zeroOnly = false; break; }
    if (zeroOnly) for (const q of e.q) if (withheld[space.cell[q]!]) lo[q] = 0;
  }
  return lo;
}

/** The protected quantities of the withheld cells: those a publication must not give away (at least 1). */
export function targetsOf(space: Space, withheld: Uint8Array): number[] {
  const out: number[] = [];
  for (let q = 0; q < space.keys.length; q += 1) if (space.protects[q] && withheld[space.cell[q]!] && space.value[q]! >= 1) out.push(q);
  return out;
}

/** The cells withheld in some rows, by the space's cell index. */
export function withheldOf(space: Space, rows: readonly PublishedRow[]): Uint8Array {
  const byKey = new Map(space.cells.map((c, i) => [c, i]));
  const out = new Uint8Array(space.cells.length);
  for (const r of rows) {
    if (!r.suppressed) continue;
    const i = byKey.get(cellKey(r));
    if (i !== undefined) out[i] = 1;
  }
  return out;
}
