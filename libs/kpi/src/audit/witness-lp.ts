// The LP that finds a witness (witness.ts): over some quantities (the rest held still), reward
// each open target moved by up to 1 in its sign, charge each published quantity moved by its size
// per unit (the smallest cells first). Every published quantity the optimum moves is to be withheld.
import type { Highs } from 'highs';
import type { Constraint, Space } from './space.ts';

/** Other values a reader must allow: the true ones plus `delta` on quantities `q`. */
export interface Witness {
  q: Int32Array;
  delta: Float64Array;
  /** Quantities of cells to withhold as well, unmoved (`groups`): the non-zero force cells beside a zero it moves. */
  also?: number[];
}

/** Tolerance on a relation's balance for a witness with fractions (HiGHS's feasibility tolerance is 1e-7). */
export const TOLERANCE = 1e-6;
/** The reward for moving an open target by 1: above any plausible cost, so each is protected where it can be. */
const REWARD = 1_000_000;
/** How far any other quantity may move in one witness. */
const REACH = 1_000;

/** Whether a relation's published forces' cells are all zeros. */
export function zeroOnly(space: Space, withheld: Uint8Array, k: Constraint, except = -1): boolean {
  for (const q of k.q) if (q !== except && !withheld[space.cell[q]!] && !space.national[q] && space.value[q] !== 0) return false;
  return true;
}

/**
 * One LP over `nodes` (the rest held still): reward each open target moved by up to 1 in its sign,
 * charge each published quantity moved by 1 + its size per unit. Returns the optimum's changes.
 *
 * `relaxed`: a proof that no witness moves the targets, not a witness. Every constraint with a
 * quantity outside `nodes` that could move (withheld, or a cell that may be withheld) is dropped,
 * and moving costs nothing: what the whole system allows, this allows too, so a target this
 * cannot move has one possible value however much else is withheld.
 */
export interface WitnessOptions {
  /** Varies the sign each target is rewarded in, where `sign` does not say. */
  salt?: number;
  sign?: 1 | -1;
  relaxed?: boolean;
  /** HiGHS's time limit: past it, LpTimeLimit is thrown. */
  seconds?: number;
  /**
   * Lets a published zero be withheld together with the non-zero force cells published beside it
   * under a national figure (`Witness.also`): then that figure's published force cells are all
   * zeros, and a reader may take the withheld ones as 0 (readerLower). Costs those cells too.
   */
  groups?: boolean;
}

/** An LP stopped at its time limit, with no answer. */
export class LpTimeLimit extends Error {}

export function solveWitness(highs: Highs, space: Space, withheld: Uint8Array, pinned: Uint8Array, lo: Float64Array, nodes: readonly number[], targets: readonly number[], options: WitnessOptions = {}): Witness | undefined {
  const { salt = 0, sign, relaxed = false, groups = false } = options;
  const target = new Map<number, number>();
  for (const q of targets) {
    const canDown = space.value[q]! - 1 >= lo[q]!;
    if (sign === -1 && !canDown) continue;
    target.set(q, sign ?? (!canDown ? 1 : (Math.imul(q + 1 + salt * 7919, 2654435761) >>> 31) === 1 ? 1 : -1));
  }
  if (target.size === 0) return undefined;
  /** What a reader may assume of a published quantity once withheld (readerLower). */
  const zeroAlone = (q: number) => space.equalitiesOf[q]!.some((e) => space.equalities[e]!.geography && zeroOnly(space, withheld, space.equalities[e]!, q));
  /** The published non-zero force quantities beside q under a national figure. */
  const companions = (q: number) => space.equalitiesOf[q]!.flatMap((e) => {
    const k = space.equalities[e]!;
    return k.geography ? [...k.q].filter((j) => j !== q && !space.national[j] && !withheld[space.cell[j]!] && space.value[j] !== 0) : [];
  });
  const grouped = (q: number) => groups && space.value[q] === 0 && !zeroAlone(q) && companions(q).length > 0;
  const after = (q: number) => (space.numerator[q] || zeroAlone(q) || grouped(q) ? 0 : 1);
  // Columns: one per withheld quantity (its change); two per published one that may be withheld (up, down).
  const colOf = new Map<number, number>();
  const colQ: number[] = [], colSign: number[] = [], colCost: number[] = [], colLower: number[] = [], colUpper: number[] = [];
  const admissible = (cell: number) => !pinned[cell] && space.quantitiesOfCell[cell]!.every((q) => space.value[q]! >= after(q));
  /** A quantity's change as one column (a target's), or as two (up and down) each costing `cost` per unit. */
  const column = (q: number, cost: number, lower: number, upper: number, reward?: number) => {
    colOf.set(q, colQ.length);
    if (reward !== undefined) {
      colQ.push(q); colSign.push(1); colCost.push(-REWARD * reward);
      colLower.push(reward === -1 ? -1 : lower); colUpper.push(reward === 1 ? 1 : upper);
      return;
    }
    colQ.push(q, q); colSign.push(1, -1); colCost.push(cost, cost);
    colLower.push(0, 0); colUpper.push(upper, Math.max(0, -lower));
  };
  for (const q of nodes) {
    const v = space.value[q]!;
    // A withheld quantity's change costs nothing; a published one's its size (the smallest cells
    // first), a rate's denominator little (its count is charged).
    if (withheld[space.cell[q]!]) column(q, 0, Math.min(0, lo[q]! - v), REACH, target.get(q) ?? 0);
    else if (admissible(space.cell[q]!)) {
      const size = space.keys[q]!.endsWith(',"denominator"]') ? 0.5 : 1 + v;
      column(q, relaxed ? 0 : grouped(q) ? size + companions(q).reduce((n, j) => n + 1 + space.value[j]!, 0) : size, after(q) - v, REACH);
    }
  }
  const movable = (q: number) => !space.national[q] && (withheld[space.cell[q]!] === 1 || admissible(space.cell[q]!));
  const starts = [0], indices: number[] = [], values: number[] = [], rowLower: number[] = [], rowUpper: number[] = [];
  const addRow = (k: { q: Int32Array; c: Float64Array }, upper: number, lower: number) => {
    if (relaxed && k.q.some((q) => !colOf.has(q) && movable(q))) return;
    const before = indices.length;
    for (let i = 0; i < k.q.length; i += 1) {
      const col = colOf.get(k.q[i]!);
      if (col === undefined) continue;
      indices.push(col); values.push(k.c[i]!);
      if (colSign[col + 1] === -1 && colQ[col + 1] === k.q[i]) { indices.push(col + 1); values.push(-k.c[i]!); }
    }
    if (indices.length === before) return;
    starts.push(indices.length);
    rowLower.push(lower);
    rowUpper.push(upper);
  };
  const rows = new Set<number>(), ineqs = new Set<number>();
  for (const q of colOf.keys()) {
    for (const e of space.equalitiesOf[q]!) rows.add(e);
    for (const e of space.inequalitiesOf[q]!) ineqs.add(e);
  }
  for (const e of rows) addRow(space.equalities[e]!, 0, 0);
  for (const e of ineqs) {
    const k = space.inequalities[e]!;
    let slack = 0;
    for (let i = 0; i < k.q.length; i += 1) slack -= k.c[i]! * space.value[k.q[i]!]!;
    addRow(k, slack, -Infinity);
  }
  const model = highs.createModel({
    numCols: colQ.length, numRows: rowLower.length, sense: highs.constants.objectiveSense.minimize,
    colCost, colLower, colUpper, rowLower, rowUpper,
    matrix: { format: 'csr', numRows: rowLower.length, numCols: colQ.length, starts, indices, values },
  });
  try {
    model.options.set({ output_flag: false, ...(colQ.length > Number(process.env.IPM ?? 5000) ? { solver: 'ipm' } : {}), ...(options.seconds ? { time_limit: Math.max(1, options.seconds) } : {}) });
    model.run();
    const status = model.getModelStatus();
    if (status === highs.constants.modelStatus.timeLimit) throw new LpTimeLimit(`an LP over ${colQ.length} columns stopped at its time limit`);
    if (status !== highs.constants.modelStatus.optimal) throw new Error(`disclosure protection: an LP over ${colQ.length} columns ended with HiGHS status ${status}, not optimal`);
    const x = model.getSolution().colValue;
    const delta = new Map<number, number>();
    for (let j = 0; j < colQ.length; j += 1) {
      const d = colSign[j]! * x[j]!;
      if (Math.abs(d) > TOLERANCE) delta.set(colQ[j]!, (delta.get(colQ[j]!) ?? 0) + d);
    }
    for (const [q, d] of delta) {
      const r = Math.round(d);
      if (Math.abs(d - r) < TOLERANCE) delta.set(q, r);
      if (delta.get(q) === 0) delta.delete(q);
    }
    if (delta.size === 0) return undefined;
    const also = [...delta.keys()].filter((q) => !withheld[space.cell[q]!] && grouped(q)).flatMap(companions);
    return { q: Int32Array.from(delta.keys()), delta: Float64Array.from(delta.values()), ...(also.length > 0 ? { also } : {}) };
  } finally {
    model.dispose();
  }
}
