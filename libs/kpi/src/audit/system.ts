// What a reader of a publication knows of its withheld quantities, as one linear system (issue 11):
// every relation between cells (relations.ts) with the published values put in, a lower bound
// on every withheld quantity, and a rate's numerator at most its denominator. Pure.
//
// It is presolved the way an attacker would start: a relation with one unknown fixes it, and a
// relation with two (x ± y = c) makes one an affine image of the other, so the rest works on
// classes of quantities that move together. What is left is `rows` over `classes`, with the
// true values (`truth`), which the audit (certify.ts) searches for directions of doubt.
import type { PublishedRow } from '../cells.ts';
import { measures } from '../measures.ts';
import { NATIONAL } from '../publication.ts';
import { fieldsOf, quantitiesOf, quantityKey, type Relation } from './relations.ts';

export interface Row {
  cols: number[];
  coefs: number[];
  lower: number;
  upper: number;
}

/** A withheld quantity the rules protect: a count of at least 1, or a rate's numerator of at least 1. */
export interface Target {
  key: string;
  /** Its cell: `JSON.stringify([period, geography, measure, split, category])`. */
  cell: string;
  /** Its class, or -1 when the presolve fixed it. */
  cls: number;
  /** When the presolve fixed it: the relation (an index into the relations given) that did, or -1 (its bounds met). */
  fixedBy: number;
}

export interface LinearSystem {
  classes: number;
  truth: number[];
  lo: number[];
  hi: number[];
  rows: Row[];
  /** The rows each class takes part in. */
  rowsOf: number[][];
  targets: Target[];
  /**
   * Each class's table: its measures' group (measures tied by a relation between measures) and
   * its split's family (sex with women-and-girls). Directions mostly stay within one.
   */
  block: string[];
  /** Each class's geography (a force: national quantities are never withheld). */
  geography: string[];
}

const kindOf = new Map(measures.map((m) => [m.id, m.kind]));
export const cellKey = (r: Pick<PublishedRow, 'period' | 'geography' | 'measure' | 'split' | 'category'>) =>
  JSON.stringify([r.period, r.geography, r.measure, r.split, r.category]);

/**
 * What a reader who knows the rules may assume of a withheld quantity: a count (a value, a base,
 * an n) is at least 1, since zeros are published; a numerator at least 0. The one exception the
 * rules make: a zero is withheld only to protect a relation with no published cell other than
 * zeros and national ones (a force holding a whole national figure alone), so a withheld quantity
 * in such a relation may be 0, and the reader, who can see which relations those are, knows it.
 */
export function zeroEligible(relations: readonly Relation[], known: ReadonlyMap<string, number>, isNational: (key: string) => boolean): Set<string> {
  const eligible = new Set<string>();
  for (const rel of relations) {
    if (rel.kind !== 'geography') continue;
    if (rel.terms.every((t) => !known.has(t.key) || isNational(t.key) || known.get(t.key) === 0)) {
      for (const t of rel.terms) if (!known.has(t.key) && !isNational(t.key)) eligible.add(t.key);
    }
  }
  return eligible;
}

/** `inequalities`: Σ coef · quantity ≤ 0 (relations.ts's inequalitiesOf), beside a rate's numerator at most its denominator. */
export function linearSystem(published: readonly PublishedRow[], truthRows: readonly PublishedRow[], relations: readonly Relation[], inequalities: readonly Relation[] = []): LinearSystem {
  const trueValue = quantitiesOf(truthRows);
  const known = new Map<string, number>();
  const index = new Map<string, number>();
  const keys: string[] = [];
  const rates: [number, number][] = [];
  const targets: Target[] = [];
  const national = new Set<string>();
  for (const r of published) {
    const fields = fieldsOf(r.measure);
    if (r.geography === NATIONAL) for (const f of fields) national.add(quantityKey(r.period, r.geography, r.measure, r.split, r.category, f));
    for (const f of fields) {
      const key = quantityKey(r.period, r.geography, r.measure, r.split, r.category, f);
      if (!r.suppressed) {
        if (r[f] !== null) known.set(key, r[f]);
        continue;
      }
      if (!trueValue.has(key)) continue;
      index.set(key, keys.length);
      keys.push(key);
      const kind = kindOf.get(r.measure);
      if (trueValue.get(key)! >= 1 && (f === 'numerator' || (f === 'value' && (kind === 'count' || kind === 'stock')))) targets.push({ key, cell: cellKey(r), cls: -1, fixedBy: -1 });
    }
    if (r.suppressed && fields.length === 2) {
      const [num, den] = fields.map((f) => index.get(quantityKey(r.period, r.geography, r.measure, r.split, r.category, f)));
      if (num !== undefined && den !== undefined) rates.push([num, den]);
    }
  }
  const n = keys.length;
  const blockOf = blockLabeller(relations);
  // x_i = sign_i · x_parent_i + offset_i, down to a root; a root may be fixed.
  const parent = Array.from({ length: n }, (_, i) => i);
  const sign = new Array<number>(n).fill(1);
  const offset = new Array<number>(n).fill(0);
  const eligible = zeroEligible(relations, known, (key) => national.has(key));
  const lo: number[] = keys.map((k) => (k.endsWith(',"numerator"]') || eligible.has(k) ? 0 : 1));
  keys.forEach((k, i) => {
    if (trueValue.get(k)! < lo[i]!) throw new Error(`disclosure: ${k} is withheld as 0 where the rules publish zeros`);
  });
  const hi = new Array<number>(n).fill(Infinity);
  const fixed = new Array<number | undefined>(n).fill(undefined);
  const find = (i: number): [number, number, number] => {
    let s = 1, o = 0, x = i;
    while (parent[x] !== x) {
      o += s * offset[x]!;
      s *= sign[x]!;
      x = parent[x]!;
    }
    return [x, s, o];
  };
  // Each relation's unknown terms by index, and what its published terms add up to.
  const unknownTerms = (rel: Relation) => {
    const vars: number[] = [], coefs: number[] = [];
    let constant = 0;
    for (const t of rel.terms) {
      const i = index.get(t.key);
      if (i === undefined) constant += t.coef * (known.get(t.key) ?? 0);
      else { vars.push(i); coefs.push(t.coef); }
    }
    return { vars, coefs, constant };
  };
  const live: { vars: number[]; coefs: number[]; constant: number; relation: number }[] = [];
  for (const [relation, rel] of relations.entries()) {
    const terms = unknownTerms(rel);
    if (terms.vars.length > 0) live.push({ ...terms, relation });
  }
  /** A relation over roots: Σ coef · root + constant = 0. */
  const reduce = (vars: readonly number[], coefs: readonly number[], start: number) => {
    const over = new Map<number, number>();
    let constant = start;
    vars.forEach((i, j) => {
      const [root, s, o] = find(i);
      const c = coefs[j]!;
      constant += c * o;
      if (fixed[root] !== undefined) constant += c * s * fixed[root];
      else over.set(root, (over.get(root) ?? 0) + c * s);
    });
    for (const [root, c] of over) if (c === 0) over.delete(root);
    return { coefs: over, constant };
  };
  // Until nothing changes: revisit only the relations of a quantity whose root moved or was fixed.
  const relationsOfVar: number[][] = keys.map(() => []);
  live.forEach((rel, r) => { for (const i of rel.vars) relationsOfVar[i]!.push(r); });
  const members: number[][] = keys.map((_, i) => [i]);
  /** The relation that fixed a root, where one did. */
  const fixedBy: number[] = keys.map(() => -1);
  const queue = live.map((_, r) => r);
  const queued = new Uint8Array(live.length).fill(1);
  const touch = (root: number) => {
    for (const i of members[root]!) for (const r of relationsOfVar[i]!) if (!queued[r]) { queued[r] = 1; queue.push(r); }
  };
  for (let q = 0; q < queue.length; q += 1) {
    const r = queue[q]!;
    queued[r] = 0;
    const rel = live[r]!;
    const { coefs, constant } = reduce(rel.vars, rel.coefs, rel.constant);
    if (coefs.size === 1) {
      const [root, c] = [...coefs][0]!;
      fixed[root] = -constant / c;
      fixedBy[root] = rel.relation;
      touch(root);
    } else if (coefs.size === 2) {
      const [[a, ca], [b, cb]] = [...coefs] as [[number, number], [number, number]];
      if (Math.abs(ca) !== Math.abs(cb)) continue;
      // ca·a + cb·b + constant = 0, so a = s·b + o.
      const s = -cb / ca, o = -constant / ca;
      parent[a] = b; sign[a] = s; offset[a] = o;
      const [l, h] = s > 0 ? [lo[a]! - o, hi[a]! - o] : [o - hi[a]!, o - lo[a]!];
      lo[b] = Math.max(lo[b]!, l);
      hi[b] = Math.min(hi[b]!, h);
      for (const i of members[a]!) members[b]!.push(i);
      members[a] = [];
      if (lo[b] === hi[b]) fixed[b] = lo[b];
      touch(b);
    }
  }
  // Classes: the roots left unknown.
  const classOf = new Map<number, number>();
  const truth: number[] = [], clo: number[] = [], chi: number[] = [];
  const block: string[] = [], geography: string[] = [];
  const classIndex = (root: number) => {
    let c = classOf.get(root);
    if (c === undefined) {
      c = truth.length;
      classOf.set(root, c);
      clo.push(lo[root]!);
      chi.push(hi[root]!);
      truth.push(Number.NaN);
    }
    return c;
  };
  for (let i = 0; i < n; i += 1) {
    const [root, s, o] = find(i);
    if (fixed[root] !== undefined) continue;
    const c = classIndex(root);
    if (Number.isNaN(truth[c]!)) {
      truth[c] = (trueValue.get(keys[i]!)! - o) / s;
      block[c] = blockOf(keys[i]!);
      geography[c] = (JSON.parse(keys[i]!) as string[])[1]!;
    }
  }
  const rows: Row[] = [];
  const toRow = (coefs: Map<number, number>, lower: number, upper: number) => {
    const cols: number[] = [], cs: number[] = [];
    for (const [root, c] of coefs) { cols.push(classOf.get(root)!); cs.push(c); }
    rows.push({ cols, coefs: cs, lower, upper });
  };
  for (const rel of live) {
    const { coefs, constant } = reduce(rel.vars, rel.coefs, rel.constant);
    if (coefs.size >= 2) toRow(coefs, -constant, -constant);
  }
  // A rate's numerator is at most its denominator.
  for (const [num, den] of rates) {
    const { coefs, constant } = reduce([num, den], [1, -1], 0);
    if (coefs.size >= 1) toRow(coefs, -Infinity, -constant);
  }
  for (const rel of inequalities) {
    const terms = unknownTerms(rel);
    if (terms.vars.length === 0) continue;
    const { coefs, constant } = reduce(terms.vars, terms.coefs, terms.constant);
    if (coefs.size >= 1) toRow(coefs, -Infinity, -constant);
  }
  const rowsOf = truth.map((): number[] => []);
  rows.forEach((row, r) => { for (const c of row.cols) rowsOf[c]!.push(r); });
  for (const t of targets) {
    const [root] = find(index.get(t.key)!);
    t.cls = fixed[root] !== undefined ? -1 : classOf.get(root)!;
    if (t.cls < 0) t.fixedBy = fixedBy[root]!;
  }
  return { classes: truth.length, truth, lo: clo, hi: chi, rows, rowsOf, targets, block, geography };
}

/** A quantity's block: its measure's group (measures tied by relations between measures) and its split's family. */
export function blockLabeller(relations: readonly Relation[]): (key: string) => string {
  const group = new Map<string, string>(measures.map((m) => [m.id, m.id]));
  const find = (m: string): string => {
    let x = m;
    while (group.get(x) !== x) x = group.get(x)!;
    return x;
  };
  const tied = new Set<string>();
  for (const rel of relations) {
    if (rel.kind !== 'measure') continue;
    const ids = [...new Set(rel.terms.map((t) => (JSON.parse(t.key) as string[])[2]!))].sort();
    const label = ids.join('|');
    if (tied.has(label)) continue;
    tied.add(label);
    for (const id of ids.slice(1)) group.set(find(id), find(ids[0]!));
  }
  const family = (split: string) => (split === 'women-and-girls' ? 'sex' : split);
  return (key) => {
    const [, , measure, split] = JSON.parse(key) as string[];
    return `${find(measure!)}|${family(split!)}`;
  };
}
