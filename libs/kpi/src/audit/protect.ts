// Secondary withholding across tables (issue 11): after each split's own rules (disclosure.ts),
// withhold more cells until no withheld count can be worked out exactly from what is published
// and the relations between cells (relations.ts). Pure but for the LP solver it is handed.
//
// 1. Propagation: while a relation has exactly one withheld quantity, withhold a partner in it.
// 2. Then rounds of the LP audit (certify.ts) in its quick form: every withheld count it cannot
//    prove free gets a partner in one of its relations. Withholding only widens what a reader
//    can hold possible, so a count proved free stays free, and each round checks only the rest.
//
// A partner is the relation's smallest published cell of at least 2 (room to move both ways),
// else a 1; never a national cell (national figures stay complete). A zero only where the
// relation has no published cell but zeros and national ones (a force holding a whole national
// figure alone): the one place the rules withhold zeros, which a reader can see (system.ts).
// Ties go to the split's own relation, then time, linked splits, geography, other measures,
// then the first cell in order. It stops, since every step withholds one more of a finite set.
import type { Highs } from 'highs';
import type { PublishedRow } from '../cells.ts';
import { measures } from '../measures.ts';
import { NATIONAL } from '../publication.ts';
import { certify } from './certify.ts';
import { fieldsOf, quantitiesOf, type Relation, type RelationKind } from './relations.ts';
import { cellKey, linearSystem } from './system.ts';

export interface Protection {
  rows: PublishedRow[];
  /** Cells the splits' own rules withheld, and those withheld here. */
  primary: number;
  secondary: number;
  /** Of the secondary cells, zeros (beside a force holding a whole national figure). */
  zeros: number;
  rounds: number;
  /** Withheld counts no partner could be found for (left for the audit to judge). */
  unprotectable: number;
}

const counting = new Set(measures.filter((m) => m.kind === 'count' || m.kind === 'stock').map((m) => m.id));
const KIND_ORDER: Record<RelationKind, number> = { split: 0, time: 1, 'linked-split': 2, geography: 3, measure: 4 };
const MAX_ROUNDS = 60;
/** A quantity's cell: its key without the field. */
const cellOfQuantity = (key: string) => `${key.slice(0, key.lastIndexOf(','))}]`;

export interface ProtectOptions {
  /** Rounds of the LP audit after propagation (default: until none is needed, at most 60). 0 leaves propagation alone: a weaker rule, for the audit's tests. */
  maxRounds?: number;
}

export function protectAcrossTables(highs: Highs, rows: readonly PublishedRow[], truth: readonly PublishedRow[], relations: readonly Relation[], options: ProtectOptions = {}): Protection {
  const trueValue = quantitiesOf(truth);
  const national = new Set(truth.filter((r) => r.geography === NATIONAL).map(cellKey));
  const withheld = new Set(rows.filter((r) => r.suppressed).map(cellKey));
  const primary = withheld.size;
  const termCells = relations.map((rel) => rel.terms.map((t) => cellOfQuantity(t.key)));
  const relationsOfCell = new Map<string, number[]>();
  termCells.forEach((cells, i) => { for (const c of new Set(cells)) (relationsOfCell.get(c) ?? relationsOfCell.set(c, []).get(c)!).push(i); });
  let zeros = 0;
  const isTarget = (key: string) => (trueValue.get(key) ?? 0) >= 1 && (key.endsWith(',"numerator"]') || (key.endsWith(',"value"]') && counting.has((JSON.parse(key) as string[])[2]!)));

  /** How freely a published quantity could move once withheld: both ways (0), up only (1), not at all (2). */
  const room = (key: string): number => {
    const v = trueValue.get(key) ?? 0;
    if (key.endsWith(',"numerator"]')) return v >= 1 && v < (trueValue.get(`${key.slice(0, -13)},"denominator"]`) ?? 0) ? 0 : v === 0 ? 1 : 2;
    if (key.endsWith(',"denominator"]') || key.endsWith(',"n"]')) return 3;
    return v >= 2 ? 0 : v === 1 ? 1 : 2;
  };
  /** The best partner for a withheld cell among the relations given, or undefined. */
  const partner = (among: readonly number[]): string | undefined => {
    let best: { cell: string; score: [number, number, number] } | undefined;
    for (const i of among) {
      const terms = relations[i]!.terms;
      const candidates = termCells[i]!.flatMap((cell, j) => (withheld.has(cell) || national.has(cell) ? [] : [{ cell, key: terms[j]!.key, value: trueValue.get(terms[j]!.key) ?? 0 }]));
      const zeroOnly = candidates.every((c) => c.value === 0);
      for (const c of candidates) {
        if (c.value === 0 && !zeroOnly) continue;
        const score: [number, number, number] = [room(c.key), c.value, KIND_ORDER[relations[i]!.kind]];
        const order = best ? compare(score, best.score) : -1;
        if (order < 0 || (order === 0 && c.cell < best!.cell)) best = { cell: c.cell, score };
      }
    }
    return best?.cell;
  };
  const withhold = (cell: string) => {
    withheld.add(cell);
    const value = fieldsOf((JSON.parse(cell) as string[])[2]!).map((f) => trueValue.get(`${cell.slice(0, -1)},${JSON.stringify(f)}]`) ?? 0);
    if (value.every((v) => v === 0)) zeros += 1;
  };

  // 1. Propagation.
  const queue = relations.map((_, i) => i);
  const queued = new Uint8Array(relations.length).fill(1);
  for (let q = 0; q < queue.length; q += 1) {
    const i = queue[q]!;
    queued[i] = 0;
    const open = relations[i]!.terms.filter((t, j) => withheld.has(termCells[i]![j]!));
    if (open.length !== 1 || !isTarget(open[0]!.key)) continue;
    const cell = partner([i]);
    if (!cell) continue;
    withhold(cell);
    for (const j of [i, ...relationsOfCell.get(cell) ?? []]) if (!queued[j]) { queued[j] = 1; queue.push(j); }
  }


  // 2. Rounds of the LP audit.
  let rounds = 0;
  let unprotectable = 0;
  let openKeys: Set<string> | undefined;
  const apply = () => rows.map((r) => (withheld.has(cellKey(r)) && !r.suppressed
    ? { ...r, value: null, numerator: null, denominator: null, n: null, suppressed: true } : r));
  for (const maxRounds = options.maxRounds ?? MAX_ROUNDS; rounds < maxRounds; rounds += 1) {
    const system = linearSystem(apply(), truth, relations);
    const only = openKeys && new Set(system.targets.filter((t) => openKeys!.has(t.key) && t.cls >= 0).map((t) => t.cls));
    const { free } = certify(highs, system, { exact: false, ...(only ? { only, tables: false } : {}) });
    const open = system.targets.filter((t) => (!openKeys || openKeys.has(t.key)) && (t.cls < 0 || !free[t.cls]));

    if (open.length === 0) break;
    openKeys = new Set(open.map((t) => t.key));
    let added = 0;
    unprotectable = 0;
    // A count the presolve fixed gets its partner in the relation that fixed it.
    const seen = new Set<string>();
    for (const t of open) {
      if (seen.has(t.cell)) continue;
      seen.add(t.cell);
      const cell = t.cell;
      const chosen = (t.fixedBy >= 0 ? partner([t.fixedBy]) : undefined) ?? partner(relationsOfCell.get(cell) ?? []);
      if (chosen) {
        withhold(chosen);
        added += 1;
      } else unprotectable += 1;
    }
    if (added === 0) break;
  }
  const out = apply();
  return { rows: out, primary, secondary: withheld.size - primary, zeros, rounds, unprotectable };
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
