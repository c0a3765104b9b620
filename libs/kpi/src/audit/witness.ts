// Witnesses (issue 11). A withheld quantity is not given away when there is another set of values,
// a witness, that agrees with everything published, meets every relation and inequality a reader
// knows and every least value a reader may assume (space.ts), and differs from the true one in
// that quantity: then the least and greatest values an LP finds for it differ too. A witness is
// the true values plus a change `delta` on withheld quantities only, so checking one is exact
// arithmetic over the constraints it touches, and it stays a witness as more is withheld.
//
// The protection finds witnesses with HiGHS: an LP over one table's quantities (a block of
// space.ts) for a group of forces, rewarding each open target moved one way by up to 1 and
// charging each published quantity it moves by its size (the smallest cells first); every
// published cell the optimum moves is withheld (secondary), and the optimum, checked, is the
// witness of every target it moves. What it leaves open gets LPs over whole tables, then its own.
import type { Highs } from 'highs';
import { NATIONAL } from '../publication.ts';
import { readerLower, targetsOf, type Constraint, type Space } from './space.ts';

export interface Witness {
  q: Int32Array;
  delta: Float64Array;
}

/** Tolerance on a relation's balance for a witness with fractions (HiGHS's feasibility tolerance is 1e-7). */
const TOLERANCE = 1e-6;
/** The reward for moving an open target by 1: above any plausible cost, so each is protected where it can be. */
const REWARD = 1_000_000;
/** How far any other quantity may move in one witness. */
const REACH = 1_000;
/** The cost of moving a quantity already withheld by 1. */
const WITHHELD_COST = 0.01;
const FORCE_GROUPS = 4;
/** Forces together in an LP across every table. */
const ACROSS_FORCES = 4;
const NEIGHBOURHOODS = [500, 5_000];
/** Targets checked over everything before release: each such LP takes up to a minute on a national half-year. */
const CHECK_BUDGET = 12;

/** The non-national quantities the constraints reach from q, breadth first, up to `size`. */
function reach(space: Space, q: number, size: number): number[] {
  const seen = new Set([q]);
  const queue = [q];
  const visit = (k: { q: Int32Array }) => {
    for (const j of k.q) if (!space.national[j] && !seen.has(j) && seen.size < size) { seen.add(j); queue.push(j); }
  };
  for (let i = 0; i < queue.length && seen.size < size; i += 1) {
    for (const e of space.equalitiesOf[queue[i]!]!) visit(space.equalities[e]!);
    for (const e of space.inequalitiesOf[queue[i]!]!) visit(space.inequalities[e]!);
  }
  return queue;
}

/** Whether a witness holds: moves withheld, non-national quantities only, to values a reader must allow. */
export function holds(space: Space, withheld: Uint8Array, lo: Float64Array, w: Witness): boolean {
  const delta = new Map<number, number>();
  for (let i = 0; i < w.q.length; i += 1) {
    const q = w.q[i]!;
    if (!withheld[space.cell[q]!] || space.national[q]) return false;
    if (space.value[q]! + w.delta[i]! < lo[q]! - TOLERANCE) return false;
    delta.set(q, w.delta[i]!);
  }
  const integral = [...delta.values()].every(Number.isInteger);
  const tolerance = integral ? 0 : TOLERANCE;
  const balance = (k: { q: Int32Array; c: Float64Array }, moved: boolean) => {
    let s = 0;
    for (let i = 0; i < k.q.length; i += 1) s += k.c[i]! * (moved ? (delta.get(k.q[i]!) ?? 0) : space.value[k.q[i]!]!);
    return s;
  };
  const seen = new Set<number>(), seenIneq = new Set<number>();
  for (const q of delta.keys()) {
    for (const e of space.equalitiesOf[q]!) {
      if (seen.has(e)) continue;
      seen.add(e);
      if (Math.abs(balance(space.equalities[e]!, true)) > tolerance) return false;
    }
    for (const e of space.inequalitiesOf[q]!) {
      if (seenIneq.has(e)) continue;
      seenIneq.add(e);
      const k = space.inequalities[e]!;
      if (balance(k, false) + balance(k, true) > tolerance) return false;
    }
  }
  return true;
}

/** Whether a witness moves quantity q. */
export const moves = (w: Witness, q: number) => {
  for (let i = 0; i < w.q.length; i += 1) if (w.q[i] === q) return w.delta[i] !== 0;
  return false;
};

/**
 * Secondary withholding by witnesses. Holds the state of one publication's protection: the cells
 * withheld, the cells that must stay published, the witnesses found and what each covers, and
 * what a reader may assume of each withheld quantity (kept up to date as cells are withheld).
 */
export class WitnessProtection {
  readonly withheld: Uint8Array;
  /** Cells never to withhold: national figures, and cells published after all (`release`). */
  readonly pinned: Uint8Array;
  /** The witness of each protected quantity (an index into `witnesses`), or -1. */
  readonly witnessOf: Int32Array;
  readonly witnesses: (Witness | null)[] = [];
  readonly lo: Float64Array;
  lps = 0;
  /** Cells released without the check over everything (its budget spent). */
  readonly unchecked = new Set<number>();
  private checks = 0;
  private salt = 0;
  private readonly groupOf: Map<string, number>;
  private readonly forces: string[];

  constructor(private readonly highs: Highs, private readonly space: Space, primary: Uint8Array, private readonly log: (line: string) => void = () => {}) {
    this.withheld = Uint8Array.from(primary);
    this.pinned = new Uint8Array(space.cells.length);
    for (let q = 0; q < space.keys.length; q += 1) if (space.national[q]) this.pinned[space.cell[q]!] = 1;
    this.witnessOf = new Int32Array(space.keys.length).fill(-1);
    this.lo = readerLower(space, this.withheld);
    this.forces = [...new Set(space.geography)].filter((g) => g !== NATIONAL).sort();
    this.groupOf = new Map(this.forces.map((f, i) => [f, Math.floor((i * FORCE_GROUPS) / this.forces.length)]));
  }

  /** Protected quantities of withheld cells with no witness yet. */
  open(): number[] {
    return targetsOf(this.space, this.withheld).filter((q) => this.witnessOf[q] === -1);
  }

  /**
   * Finds witnesses for every open target it can, withholding what they move: LPs over a table's
   * forces a quarter at a time (where a quarter has enough forces to balance a national figure),
   * then over whole tables while that protects more, then for each target alone over the
   * quantities its relations reach, in growing neighbourhoods.
   */
  run(): void {
    const { space } = this;
    const quarter = (q: number) => this.groupOf.get(space.geography[q]!)!;
    const few = (q: number) => Math.floor(this.forces.indexOf(space.geography[q]!) / ACROSS_FORCES);
    const sweeps: [string, (q: number) => string, number][] = [
      ...(this.forces.length >= 16 ? [['a table, a quarter of the forces', (q: number) => `${space.block[q]}|${quarter(q)}`, 2] as [string, (q: number) => string, number]] : []),
      ['every table, a few forces', (q) => String(few(q)), 2],
      ['a whole table', (q) => space.block[q]!, 4],
      ['everything', () => '', 2],
    ];
    for (const [name, label, times] of sweeps) {
      for (let pass = 0; pass < times; pass += 1) {
        const targets = this.open();
        this.log(`${name} (${pass + 1}): ${targets.length} open, ${this.lps} LPs so far`);
        if (targets.length === 0) return;
        const byLabel = groupBy(targets, label);
        const members = groupBy([...space.keys.keys()].filter((q) => !space.national[q] && byLabel.has(label(q))), label);
        this.salt += 1;
        for (const [l, group] of byLabel) this.attempt(members.get(l)!, group);
        if (this.open().length > targets.length * 0.9) break;
      }
    }
    const singles = this.open();
    this.log(`alone: ${singles.length} open, ${this.lps} LPs so far`);
    for (const q of singles) {
      for (const size of NEIGHBOURHOODS) {
        if (this.witnessOf[q] !== -1) break;
        const nodes = reach(space, q, size);
        this.attempt(nodes, [q], 1, true);
        if (this.witnessOf[q] === -1) this.attempt(nodes, [q], -1, true);
        if (nodes.length < size) break;
      }
    }
  }

  /**
   * Runs until every protected quantity of a withheld cell has a witness, publishing after all
   * (`release`) those none can be found for even over everything. Returns the cells released.
   */
  protectAll(): number[] {
    const released: number[] = [];
    this.run();
    for (let open = this.openCells(); open.length > 0; open = this.openCells()) {
      this.log(`released: ${open.length} cells no witness was found for`);
      released.push(...open);
      this.release(open);
      this.run();
    }
    return released;
  }

  /**
   * Cells of open targets no witness exists for even over everything (one LP each way, for that
   * target alone), up to a budget of such LPs; past it, open cells are released unchecked
   * (counted in `unchecked`).
   */
  private openCells(): number[] {
    const everything = [...this.space.keys.keys()].filter((q) => !this.space.national[q]);
    for (const q of this.open()) {
      if (this.witnessOf[q] !== -1) continue;
      if (this.checks >= CHECK_BUDGET) { this.unchecked.add(this.space.cell[q]!); continue; }
      this.checks += 1;
      this.attempt(everything, [q], 1);
      if (this.witnessOf[q] === -1) this.attempt(everything, [q], -1);
    }
    return [...new Set(this.open().map((q) => this.space.cell[q]!))];
  }

  /**
   * Publishes these cells after all (a rule-withheld cell no witness exists for: what is published
   * already gives it away) and never withholds them again; the witnesses that moved them go.
   */
  release(cells: readonly number[]): void {
    const { space } = this;
    const released = new Set(cells);
    for (const c of cells) { this.withheld[c] = 0; this.pinned[c] = 1; }
    // Publishing more can only raise what a reader may assume. A zero withheld beside a force
    // holding a whole national figure alone, where that is no longer so, is published too.
    for (;;) {
      this.lo.set(readerLower(space, this.withheld));
      const zeros = new Set<number>();
      space.value.forEach((v, q) => { if (this.withheld[space.cell[q]!] && v < this.lo[q]!) zeros.add(space.cell[q]!); });
      if (zeros.size === 0) break;
      for (const c of zeros) { this.withheld[c] = 0; this.pinned[c] = 1; released.add(c); }
    }
    // A witness that moved a released cell, or that no longer holds now a reader may assume more, goes.
    this.witnesses.forEach((w, id) => {
      if (!w || (!w.q.some((q) => released.has(space.cell[q]!)) && holds(space, this.withheld, this.lo, w))) return;
      this.witnesses[id] = null;
      for (let q = 0; q < this.witnessOf.length; q += 1) if (this.witnessOf[q] === id) this.witnessOf[q] = -1;
    });
  }

  /** One LP; its witness, checked, covers every target it moves. */
  private attempt(nodes: readonly number[], targets: readonly number[], sign?: 1 | -1, sparse = false): void {
    const still = targets.filter((q) => this.witnessOf[q] === -1);
    if (still.length === 0) return;
    const w = solveWitness(this.highs, this.space, this.withheld, this.pinned, this.lo, nodes, still, this.salt, sign, sparse);
    this.lps += 1;
    if (!w) return;
    this.withhold(w.q);
    if (!holds(this.space, this.withheld, this.lo, w)) return;
    const id = this.witnesses.length;
    this.witnesses.push(w);
    for (let i = 0; i < w.q.length; i += 1) if (this.space.protects[w.q[i]!] && w.delta[i] !== 0 && this.witnessOf[w.q[i]!] === -1) this.witnessOf[w.q[i]!] = id;
  }

  /** Withholds the cells of these quantities, and lowers what a reader may assume where that makes a national figure's forces all zeros but the withheld. */
  private withhold(quantities: Iterable<number>): void {
    const { space } = this;
    const fresh: number[] = [];
    for (const q of quantities) {
      const c = space.cell[q]!;
      if (this.withheld[c]) continue;
      this.withheld[c] = 1;
      fresh.push(...space.quantitiesOfCell[c]!);
    }
    for (const q of fresh) {
      for (const e of space.equalitiesOf[q]!) {
        const k = space.equalities[e]!;
        if (!k.geography || !zeroOnly(space, this.withheld, k)) continue;
        for (const j of k.q) if (this.withheld[space.cell[j]!]) this.lo[j] = 0;
      }
    }
  }
}

/** Whether a relation's published forces' cells are all zeros. */
function zeroOnly(space: Space, withheld: Uint8Array, k: Constraint, except = -1): boolean {
  for (const q of k.q) if (q !== except && !withheld[space.cell[q]!] && !space.national[q] && space.value[q] !== 0) return false;
  return true;
}

function groupBy<T>(items: readonly T[], label: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const l = label(item);
    (out.get(l) ?? out.set(l, []).get(l)!).push(item);
  }
  return out;
}

/**
 * One LP over `nodes` (the rest held still): reward each open target moved by up to 1 in its sign,
 * charge each published quantity moved by 1 + its size per unit. Returns the optimum's changes.
 */
export function solveWitness(highs: Highs, space: Space, withheld: Uint8Array, pinned: Uint8Array, lo: Float64Array, nodes: readonly number[], targets: readonly number[], salt: number, sign?: 1 | -1, sparse = true): Witness | undefined {
  const target = new Map<number, number>();
  for (const q of targets) {
    const canDown = space.value[q]! - 1 >= lo[q]!;
    if (sign === -1 && !canDown) continue;
    target.set(q, sign ?? (!canDown ? 1 : (Math.imul(q + 1 + salt * 7919, 2654435761) >>> 31) === 1 ? 1 : -1));
  }
  if (target.size === 0) return undefined;
  /** What a reader may assume of a published quantity once withheld (readerLower). */
  const after = (q: number) => (space.numerator[q] || space.equalitiesOf[q]!.some((e) => space.equalities[e]!.geography && zeroOnly(space, withheld, space.equalities[e]!, q)) ? 0 : 1);
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
    // A withheld quantity's change costs a little, for witnesses that move no more than they need;
    // a published one's its size (the smallest cells first), a rate's denominator little (its count is charged).
    if (withheld[space.cell[q]!]) column(q, WITHHELD_COST, Math.min(0, lo[q]! - v), REACH, target.get(q) ?? (sparse ? undefined : 0));
    else if (admissible(space.cell[q]!)) column(q, space.keys[q]!.endsWith(',"denominator"]') ? 0.5 : 1 + v, after(q) - v, REACH);
  }
  const starts = [0], indices: number[] = [], values: number[] = [], rowLower: number[] = [], rowUpper: number[] = [];
  const addRow = (k: { q: Int32Array; c: Float64Array }, upper: number, lower: number) => {
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
    model.options.set({ output_flag: false, ...(colQ.length > Number(process.env.IPM ?? 5000) ? { solver: 'ipm' } : {}) });
    model.run();
    const status = model.getModelStatus();
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
    return { q: Int32Array.from(delta.keys()), delta: Float64Array.from(delta.values()) };
  } finally {
    model.dispose();
  }
}
