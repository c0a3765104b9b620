// The LP audit of issue 11: proves, for every withheld quantity the rules protect, that what is
// published leaves it more than one possible value, or finds that it does not. Linear
// programmes solved by HiGHS (compiled to WebAssembly); the arithmetic of doubt is ours.
//
// The published values and relations (system.ts) make a polytope P of everything a reader can
// hold possible, and the true values x* are in it. A quantity is fixed when it has one value on
// all of P. Since P is convex, that is so exactly when every direction d leading from x* into P
// leaves it alone: d in the cone C = { A·d = 0 on the relations; d ≥ 0 where x* sits on a lower
// bound, d ≤ 0 on an upper bound or an inequality x* meets }. So the audit looks for directions,
// in LPs over C's box (-1 ≤ d ≤ 1) with some classes held at 0 (a direction found with classes
// held still lies in C, so what it proves holds):
//
// 1. One LP per table (system.ts's blocks) and quarter of the forces, maximising a signed sum of
//    its open targets; again with other signs while that frees more. Every class an optimum
//    moves is proved free: x* + εd is in P for a small ε > 0 and moves it. Then the same over
//    each whole table still holding open targets.
// 2. A target still open gets LPs of its own (its most and least d, then a signed sum), over a
//    neighbourhood that grows: the classes its relations reach, breadth first, up to 400; its
//    whole connected component. Over the component, 0 both ways is the exact
//    answer: every direction leaves it alone, so it is fixed.
import type { Highs } from 'highs';
import type { LinearSystem } from './system.ts';

export interface Certificate {
  /** Classes proved free (more than one value possible). */
  free: Uint8Array;
  /** Classes of targets proved fixed: their whole component searched, no direction moves them. */
  fixed: Set<number>;
  lps: number;
}

export interface CertifyOptions {
  /** Run step 1 (the default), or only step 2 for each open target. */
  tables?: boolean;
  /** Go on to a target's whole component (the default), or leave it unproven after its first neighbourhood. */
  exact?: boolean;
  /** Only these target classes (default: all). */
  only?: ReadonlySet<number>;
}

/** A class is moved when the optimum moves it this far (HiGHS's feasibility tolerance is 1e-7). */
const EPSILON = 1e-6;
/** Step 1 takes the forces a quarter at a time: LPs over whole tables cost far more than four times as much. */
const FORCE_GROUPS = 4;
const FIRST_NEIGHBOURHOOD = 400;

export function certify(highs: Highs, system: LinearSystem, options: CertifyOptions = {}): Certificate {
  const { truth, lo, hi, rows, rowsOf } = system;
  const exact = options.exact !== false;
  // The cone at x*: which way each class may move, and each row's direction bounds.
  const up = truth.map((t, k) => t < hi[k]!);
  const down = truth.map((t, k) => t > lo[k]!);
  const rowBounds = rows.map((row): [number, number] | null => {
    if (row.lower === row.upper) return [0, 0];
    const activity = row.cols.reduce((s, c, i) => s + row.coefs[i]! * truth[c]!, 0);
    if (activity >= row.upper) return [-Infinity, 0];
    if (activity <= row.lower) return [0, Infinity];
    return null;
  });
  const free = new Uint8Array(system.classes);
  const targetClasses = [...new Set(system.targets.map((t) => t.cls).filter((c) => c >= 0 && (!options.only || options.only.has(c))))];
  const isTarget = new Uint8Array(system.classes);
  for (const c of targetClasses) isTarget[c] = 1;
  let lps = 0;

  /** Solves max Σ objective·d over `nodes`, the rest held at 0; marks every class it moves. */
  const solve = (nodes: readonly number[], objective: (k: number) => number): void => {
    const colCost = nodes.map(objective);
    if (colCost.every((c) => c === 0)) return;
    const local = new Map<number, number>();
    nodes.forEach((k, i) => local.set(k, i));
    const rowSet = new Set<number>();
    for (const k of nodes) for (const r of rowsOf[k]!) if (rowBounds[r]) rowSet.add(r);
    const starts = [0], indices: number[] = [], values: number[] = [], rowLower: number[] = [], rowUpper: number[] = [];
    for (const r of rowSet) {
      const row = rows[r]!;
      row.cols.forEach((c, i) => {
        const j = local.get(c);
        if (j !== undefined) { indices.push(j); values.push(row.coefs[i]!); }
      });
      starts.push(indices.length);
      rowLower.push(rowBounds[r]![0]);
      rowUpper.push(rowBounds[r]![1]);
    }
    lps += 1;
    const model = highs.createModel({
      numCols: nodes.length, numRows: rowLower.length, sense: highs.constants.objectiveSense.maximize,
      colCost, colLower: nodes.map((k) => (down[k] ? -1 : 0)), colUpper: nodes.map((k) => (up[k] ? 1 : 0)),
      rowLower, rowUpper, matrix: { format: 'csr', numRows: rowLower.length, numCols: nodes.length, starts, indices, values },
    });
    try {
      // The interior-point method (with crossover) is many times faster than the simplex on the large, degenerate ones.
      model.options.set({ output_flag: false, ...(nodes.length > 1000 ? { solver: 'ipm' } : {}) });
      model.run();
      const status = model.getModelStatus();
      if (status !== highs.constants.modelStatus.optimal) throw new Error(`disclosure audit: an LP over ${nodes.length} classes ended with HiGHS status ${status}, not optimal`);
      const d = model.getSolution().colValue;
      nodes.forEach((k, i) => { if (Math.abs(d[i]!) > EPSILON) free[k] = 1; });
    } finally {
      model.dispose();
    }
  };

  let salt = 0;
  const sign = (k: number) => (!down[k] ? 1 : !up[k] ? -1 : (Math.imul(k + 1 + salt, 2654435761) >>> 31) === 1 ? 1 : -1);
  const open = (k: number) => (isTarget[k] && !free[k] ? sign(k) : 0);
  const tables = new Map<string, number[]>();
  for (let k = 0; k < system.classes; k += 1) {
    const label = system.block[k]!;
    (tables.get(label) ?? tables.set(label, []).get(label)!).push(k);
  }

  /** LPs over each group with open targets, again with other signs while that frees more. */
  const sweep = (groups: Iterable<number[]>) => {
    for (const group of groups) {
      for (let round = 0; round < 4; round += 1) {
        if (group.every((k) => !isTarget[k] || free[k])) break;
        salt = round * 7919;
        const before = group.reduce((s, k) => s + free[k]!, 0);
        solve(group, open);
        if (group.reduce((s, k) => s + free[k]!, 0) === before) break;
      }
    }
    salt = 0;
  };
  if (options.tables !== false) {
    const forces = [...new Set(system.geography)].sort();
    const quarter = new Map(forces.map((f, i) => [f, Math.floor((i * FORCE_GROUPS) / forces.length)]));
    const groups = new Map<string, number[]>();
    for (let k = 0; k < system.classes; k += 1) {
      const label = `${system.block[k]}|${quarter.get(system.geography[k]!)}`;
      (groups.get(label) ?? groups.set(label, []).get(label)!).push(k);
    }
    sweep(groups.values());
    sweep(tables.values());
  }

  /** The classes reached from `seed` through relations, breadth first, up to `size`. */
  const reach = (seed: number, size: number): number[] => {
    const seen = new Set([seed]);
    const queue = [seed];
    for (let q = 0; q < queue.length && seen.size < size; q += 1) {
      for (const r of rowsOf[queue[q]!]!) {
        if (!rowBounds[r]) continue;
        for (const c of rows[r]!.cols) if (!seen.has(c) && seen.size < size) {
          seen.add(c);
          queue.push(c);
        }
      }
    }
    return [...seen];
  };
  const fixed = new Set<number>();
  for (const seed of targetClasses) {
    if (free[seed]) continue;
    if (!up[seed] && !down[seed]) {
      fixed.add(seed);
      continue;
    }
    const neighbourhoods = [() => reach(seed, FIRST_NEIGHBOURHOOD), ...(exact ? [() => reach(seed, Infinity)] : [])];
    for (const nodes of neighbourhoods) {
      const n = nodes();
      if (up[seed]) solve(n, (k) => (k === seed ? 1 : 0));
      if (!free[seed] && down[seed]) solve(n, (k) => (k === seed ? -1 : 0));
      if (free[seed]) {
        solve(n, open);
        break;
      }
    }
    if (!free[seed] && exact) fixed.add(seed);
  }
  return { free, fixed, lps };
}
