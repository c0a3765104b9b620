// The propagation attacker of issue 11: what a reader who knows only the published rows and the
// relations between them (relations.ts) can work out exactly, by simple propagation. Pure.
//
// It knows every published quantity, and that a withheld one is a whole number of at least its
// lower bound (1 for a count, since zeros are published). It repeats, until nothing changes:
// a relation with one unknown gives it; a relation whose unknowns all add with the same sign and
// must together make exactly the sum of their lower bounds gives each its bound.
import type { PublishedRow } from '../cells.ts';
import { fieldsOf, quantityKey, type Relation, type RelationKind } from './relations.ts';

export interface AttackResult {
  /** Withheld quantities worked out exactly: key → value. */
  recovered: Map<string, number>;
  /** How many were recovered first by each kind of relation. */
  byKind: Record<RelationKind, number>;
  /** Withheld rows (cells) every quantity of which was recovered. */
  cellsRecovered: number;
  cellsWithheld: number;
}

/** Published quantities, and the withheld ones (key → lower bound). */
export function knownAndUnknown(rows: readonly PublishedRow[], lower: (row: PublishedRow, field: string) => number = defaultLower) {
  const known = new Map<string, number>();
  const unknown = new Map<string, number>();
  for (const r of rows) {
    for (const field of fieldsOf(r.measure)) {
      const key = quantityKey(r.period, r.geography, r.measure, r.split, r.category, field);
      if (r.suppressed) unknown.set(key, lower(r, field));
      else if (r[field] !== null) known.set(key, r[field]);
    }
  }
  return { known, unknown };
}

/** What an attacker assumes of a withheld quantity: a count, a base, an n at least 1; a rate's numerator at least 0. */
function defaultLower(_row: PublishedRow, field: string): number {
  return field === 'numerator' ? 0 : 1;
}

/**
 * `lower` is what the attacker assumes of each withheld quantity (by default: a count at least 1,
 * a numerator at least 0); an assumption the rules do not guarantee makes it guess wrong.
 */
export function propagate(rows: readonly PublishedRow[], relations: readonly Relation[], lower?: (row: PublishedRow, field: string) => number): AttackResult {
  const { known, unknown } = knownAndUnknown(rows, lower);
  const recovered = new Map<string, number>();
  const byKind: Record<RelationKind, number> = { geography: 0, time: 0, split: 0, 'linked-split': 0, measure: 0 };
  // Relations touching each unknown, to revisit only what a new value can change.
  const touching = new Map<string, number[]>();
  relations.forEach((rel, i) => { for (const t of rel.terms) if (unknown.has(t.key)) (touching.get(t.key) ?? touching.set(t.key, []).get(t.key)!).push(i); });
  const value = (key: string) => known.get(key) ?? recovered.get(key);
  const queue = relations.map((_, i) => i).filter((i) => relations[i]!.terms.some((t) => unknown.has(t.key)));
  const queued = new Set(queue);
  const learn = (key: string, v: number, kind: RelationKind) => {
    recovered.set(key, v);
    byKind[kind] += 1;
    for (const i of touching.get(key) ?? []) if (!queued.has(i)) {
      queued.add(i);
      queue.push(i);
    }
  };
  while (queue.length > 0) {
    const i = queue.shift()!;
    queued.delete(i);
    const rel = relations[i]!;
    let rest = 0;
    const open: { key: string; coef: number }[] = [];
    for (const t of rel.terms) {
      const v = value(t.key);
      if (v === undefined) open.push(t);
      else rest += t.coef * v;
    }
    if (open.length === 0) continue;
    if (open.length === 1) {
      const t = open[0]!;
      learn(t.key, -rest / t.coef, rel.kind);
      continue;
    }
    // All of one sign, and together exactly their lower bounds: each is its bound.
    const sign = Math.sign(open[0]!.coef);
    if (open.every((t) => Math.abs(t.coef) === 1 && Math.sign(t.coef) === sign)) {
      const total = -rest * sign;
      const floor = open.reduce((s, t) => s + unknown.get(t.key)!, 0);
      if (total === floor) for (const t of open) learn(t.key, unknown.get(t.key)!, rel.kind);
    }
  }
  // A withheld cell is recovered when every quantity it holds is: a count's value, a rate's
  // numerator and denominator (so its value), a median's n.
  const withheld = rows.filter((r) => r.suppressed);
  const cellsRecovered = withheld.filter((r) => fieldsOf(r.measure).every((f) => recovered.has(quantityKey(r.period, r.geography, r.measure, r.split, r.category, f)))).length;
  return { recovered, byKind, cellsRecovered, cellsWithheld: withheld.length };
}
