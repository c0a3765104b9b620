// Secondary withholding across tables (issue 11): after each split's own rules, withhold more
// cells until no relation between published cells (relations.ts) gives a withheld one away to
// the propagation attacker (attacker.ts): no relation is left with exactly one withheld quantity,
// nor with withheld quantities that could only all be 0, or all be 1. Pure: the rows as
// withheld so far and their true values in; the rows to publish out.
//
// Each time, the cell added is the smallest of the relation's other cells, never a national one
// (national figures stay complete), preferring a cell that is not 0 (so a withheld cell is at
// least 1 wherever that is possible), then the first in row order. Withholding a cell can leave
// another relation with one withheld quantity; the queue runs until none does. It stops, since
// every step withholds one more cell of a finite set.
import type { PublishedRow } from '../cells.ts';
import { NATIONAL } from '../publication.ts';
import { relationsOf, type Field, type Relation } from './relations.ts';

export interface Protection {
  rows: PublishedRow[];
  /** Cells withheld here, beyond the splits' own rules. */
  added: number;
  /** Relations that could not be made safe: their only other cells are national. */
  unprotectable: number;
}

const rowKey = (r: Pick<PublishedRow, 'period' | 'geography' | 'measure' | 'split' | 'category'>) => JSON.stringify([r.period, r.geography, r.measure, r.split, r.category]);
const rowOfQuantity = (key: string) => JSON.stringify((JSON.parse(key) as string[]).slice(0, 5));
const fieldOfQuantity = (key: string) => (JSON.parse(key) as string[])[5] as Field;

export function protectAcrossTables(rows: readonly PublishedRow[], truth: readonly PublishedRow[], halfYear: string, months: readonly string[]): Protection {
  const trueRow = new Map(truth.map((r) => [rowKey(r), r]));
  const withheld = new Set(rows.filter((r) => r.suppressed).map(rowKey));
  const relations: Relation[] = relationsOf(truth, halfYear, months);
  // The relations each row's quantities take part in.
  const touching = new Map<string, number[]>();
  relations.forEach((rel, i) => {
    for (const t of rel.terms) {
      const row = rowOfQuantity(t.key);
      (touching.get(row) ?? touching.set(row, []).get(row)!).push(i);
    }
  });
  const valueOf = (key: string) => {
    const r = trueRow.get(rowOfQuantity(key));
    return r ? r[fieldOfQuantity(key)] ?? 0 : 0;
  };
  const queue = relations.map((_, i) => i);
  const queued = new Set(queue);
  let added = 0;
  const unsafe = new Set<number>();
  while (queue.length > 0) {
    const i = queue.shift()!;
    queued.delete(i);
    const rel = relations[i]!;
    const open = rel.terms.filter((t) => withheld.has(rowOfQuantity(t.key)));
    if (open.length === 0 || !givesAway(rel, open, valueOf)) continue;
    const candidates = rel.terms
      .filter((t) => !withheld.has(rowOfQuantity(t.key)) && (JSON.parse(t.key) as string[])[1] !== NATIONAL)
      .map((t) => ({ row: rowOfQuantity(t.key), value: valueOf(t.key) }))
      .sort((a, b) => Number(a.value === 0) - Number(b.value === 0) || a.value - b.value || (a.row < b.row ? -1 : a.row > b.row ? 1 : 0));
    const chosen = candidates[0];
    if (!chosen) {
      unsafe.add(i);
      continue;
    }
    withheld.add(chosen.row);
    added += 1;
    for (const j of touching.get(chosen.row) ?? []) if (!queued.has(j)) {
      queued.add(j);
      queue.push(j);
    }
    // This relation may still need another.
    if (!queued.has(i)) {
      queued.add(i);
      queue.push(i);
    }
  }
  const out = rows.map((r) => (withheld.has(rowKey(r)) && !r.suppressed
    ? { ...r, value: null, numerator: null, denominator: null, n: null, suppressed: true } : r));
  // A relation found unsafe may have been made safe later by a cell withheld for another.
  const unprotectable = [...unsafe].filter((i) => {
    const rel = relations[i]!;
    const open = rel.terms.filter((t) => withheld.has(rowOfQuantity(t.key)));
    return open.length > 0 && givesAway(rel, open, valueOf);
  }).length;
  return { rows: out, added, unprotectable };
}

/** Whether a relation's withheld quantities can be worked out from it alone: one of them, or all forced to 0 or to 1. */
function givesAway(rel: Relation, open: Relation['terms'], valueOf: (key: string) => number): boolean {
  if (open.length === 1) return true;
  const sign = Math.sign(open[0]!.coef);
  if (!open.every((t) => Math.abs(t.coef) === 1 && Math.sign(t.coef) === sign)) return false;
  // What the published terms leave for the withheld ones together.
  const total = open.reduce((s, t) => s + valueOf(t.key), 0);
  return total === 0 || total === open.length;
}
