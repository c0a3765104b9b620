// The disclosure audit every publication passes before any file is written (issue 11). From the
// rows about to be published, not from the protection's own account:
//
// - the whole system of relations between cells, and what a reader knows of each withheld one
//   (space.ts);
// - for every withheld quantity the rules protect, a witness (witness.ts) that still holds: other
//   values, consistent with everything published and every rule, in which it differs. Then the
//   least and greatest values the LP over that system gives it differ too, so its range is more
//   than one value. The check is exact arithmetic over the relations each witness touches;
// - the propagation attacker (attacker.ts), which must work out nothing.
//
// It fails (`passed` false, `recovered` the cells) if any withheld count has no witness, those the
// protection gave up on included (witness.ts's `givenAway`): it takes nothing on the protection's word.
import type { PublishedRow } from '../cells.ts';
import { NATIONAL } from '../publication.ts';
import { propagate } from './attacker.ts';
import { fieldsOf, quantityKey, type Relation } from './relations.ts';
import { readerLower, targetsOf, withheldOf, type Space } from './space.ts';
import { zeroEligible } from './system.ts';
import { holds, type Witness } from './witness.ts';

export interface AuditResult {
  passed: boolean;
  /** Cells withheld. */
  withheld: number;
  /** Withheld quantities the rules protect (counts, numerators and unguarded medians' n of at least 1), and how many a witness shows have more than one possible value. */
  protectedQuantities: number;
  witnessed: number;
  /** How many of those witnesses are whole numbers throughout (the rest are fractions: the LP's range still has more than one value). */
  wholeNumberWitnesses: number;
  /** Withheld cells a protected quantity of which the propagation attacker worked out. */
  attackerRecovered: number;
  /** Cells with a protected quantity that has a single possible value, or that the attacker worked out: empty when the audit passes. */
  recovered: string[];
  seconds: number;
}

export function auditPublication(rows: readonly PublishedRow[], relations: readonly Relation[], space: Space, witnesses: readonly (Witness | null)[]): AuditResult {
  const started = performance.now();
  const withheld = withheldOf(space, rows);
  const lo = readerLower(space, withheld);
  const covered = new Uint8Array(space.keys.length);
  let wholeNumberWitnesses = 0;
  for (const w of witnesses) {
    if (!w || !holds(space, withheld, lo, w)) continue;
    if (w.delta.every(Number.isInteger)) wholeNumberWitnesses += 1;
    for (let i = 0; i < w.q.length; i += 1) if (w.delta[i] !== 0) covered[w.q[i]!] = 1;
  }
  const targets = targetsOf(space, withheld);
  const open = targets.filter((q) => !covered[q]);
  const attack = propagate(rows, relations, readerLowerOfRows(rows, relations));
  const recovered = new Set(open.map((q) => space.cells[space.cell[q]!]!));
  // The attacker may work out a withheld rate's denominator (its count is published): only what the rules protect counts.
  const index = new Map(space.keys.map((k, q) => [k, q]));
  const attacked = new Set<string>();
  for (const key of attack.recovered.keys()) {
    const q = index.get(key);
    if (q !== undefined && space.protects[q] && space.value[q]! >= 1) attacked.add(space.cells[space.cell[q]!]!);
  }
  for (const cell of attacked) recovered.add(cell);
  return {
    passed: recovered.size === 0,
    withheld: withheld.reduce((n, c) => n + c, 0),
    protectedQuantities: targets.length,
    witnessed: targets.length - open.length,
    wholeNumberWitnesses,
    attackerRecovered: attacked.size,
    recovered: [...recovered].sort(),
    seconds: (performance.now() - started) / 1000,
  };
}

/** What a reader may assume of a withheld quantity, as the attacker takes it (space.ts's readerLower, from the rows). */
export function readerLowerOfRows(rows: readonly PublishedRow[], relations: readonly Relation[]): (row: PublishedRow, field: string) => number {
  const known = new Map<string, number>();
  const national = new Set<string>();
  for (const r of rows) for (const f of fieldsOf(r.measure)) {
    const key = quantityKey(r.period, r.geography, r.measure, r.split, r.category, f);
    if (!r.suppressed && r[f] !== null) known.set(key, r[f]);
    if (r.geography === NATIONAL) national.add(key);
  }
  const eligible = zeroEligible(relations, known, (k) => national.has(k));
  return (r, field) => (field === 'numerator' || eligible.has(quantityKey(r.period, r.geography, r.measure, r.split, r.category, field as 'value')) ? 0 : 1);
}
