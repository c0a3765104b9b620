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
// witness of every target it moves. What it leaves open gets LPs over whole tables, then over
// everything; what those cannot move is given away (still withheld, and failing the audit).
import type { Highs } from 'highs';
import { NATIONAL } from '../publication.ts';
import { readerLower, targetsOf, type Space } from './space.ts';
import { LpTimeLimit, solveWitness, TOLERANCE, zeroOnly, type Witness } from './witness-lp.ts';

export type { Witness };

const FORCE_GROUPS = 4;
/** Forces together in an LP across every table. */
const ACROSS_FORCES = 4;
/** The time the LPs over everything may take in all (`settle`); past it, what is open is given away unproven. */
const EVERYTHING_SECONDS = 180;
/** Quantities around a target in its LP that may withhold cells in groups (`inGroups`). */
const GROUP_NEIGHBOURHOOD = 6_000;
/** Quantities around each proof of a target given away (`settle`). */
const NEIGHBOURHOOD = 300;

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

/**
 * Secondary withholding by witnesses. Holds the state of one publication's protection: the cells
 * withheld, the cells that must stay published, the witnesses found and what each covers, and
 * what a reader may assume of each withheld quantity (kept up to date as cells are withheld).
 */
export class WitnessProtection {
  readonly withheld: Uint8Array;
  /** Cells never to withhold: national figures. */
  readonly pinned: Uint8Array;
  /** The witness of each protected quantity (an index into `witnesses`), or -1. */
  readonly witnessOf: Int32Array;
  readonly witnesses: (Witness | null)[] = [];
  readonly lo: Float64Array;
  lps = 0;
  /**
   * Withheld cells with a protected quantity the protection found no witness for: what is
   * published gives them away. They stay withheld (publishing them could give others away too),
   * and the audit fails on them.
   */
  readonly givenAway = new Set<number>();
  /** Of those, cells whose search was cut short: out of time, or an LP over everything moved one and its witness failed the exact check. */
  readonly unproven = new Set<number>();
  private salt = 0;
  private readonly groupOf: Map<string, number>;
  private readonly forces: string[];

  /** The time the LPs over everything may take in all (EVERYTHING_SECONDS unless given). */
  private readonly everythingSeconds: number;

  constructor(private readonly highs: Highs, private readonly space: Space, primary: Uint8Array, private readonly log: (line: string) => void = () => {}, options: { everythingSeconds?: number } = {}) {
    this.everythingSeconds = options.everythingSeconds ?? EVERYTHING_SECONDS;
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
    return targetsOf(this.space, this.withheld).filter((q) => this.witnessOf[q] === -1 && !this.givenAway.has(this.space.cell[q]!));
  }

  /**
   * Finds witnesses for every open target it can, withholding what they move: LPs over a table's
   * forces a quarter at a time (where a quarter has enough forces to balance a national figure),
   * then over whole tables while that protects more (`settle` goes on over everything).
   */
  run(): void {
    const { space } = this;
    const quarter = (q: number) => this.groupOf.get(space.geography[q]!)!;
    const few = (q: number) => Math.floor(this.forces.indexOf(space.geography[q]!) / ACROSS_FORCES);
    const sweeps: [string, (q: number) => string, number][] = [
      ...(this.forces.length >= 16 ? [['a table, a quarter of the forces', (q: number) => `${space.block[q]}|${quarter(q)}`, 2] as [string, (q: number) => string, number]] : []),
      ['every table, a few forces', (q) => String(few(q)), 2],
      ['a whole table', (q) => space.block[q]!, 4],
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
  }

  /**
   * Runs until every protected quantity of a withheld cell has a witness or is given away (none
   * found even over everything). Returns the cells given away.
   */
  protectAll(): number[] {
    this.run();
    while (this.open().length > 0) this.settle();
    return [...this.givenAway];
  }

  /**
   * For what the sweeps leave open: LPs of each target's own that may withhold in groups
   * (`inGroups`); a proof from its neighbourhood that nothing moves it (a relaxed LP, witness-lp.ts:
   * the constraints reaching past it dropped); then LPs over everything, rewarding every open
   * target moved up, then every one moved down, while they, or LPs in groups, find witnesses or
   * withhold more. Cells with a target none of these moves are given away (and fail the audit).
   * That is not a proof that no witness exists: an LP rewarding all targets nets nothing for a
   * witness of one that moves another against the sign it is rewarded in.
   */
  private settle(): void {
    const { space } = this;
    this.inGroups();
    for (const q of this.open()) {
      if (this.givenAway.has(space.cell[q]!)) continue;
      const nodes = reach(space, q, NEIGHBOURHOOD);
      const moves = (sign: 1 | -1) => {
        this.lps += 1;
        return solveWitness(this.highs, space, this.withheld, this.pinned, this.lo, nodes, [q], { sign, relaxed: true, groups: true })?.q.includes(q) === true;
      };
      if (!moves(1) && !(space.value[q]! - 1 >= this.lo[q]! && moves(-1))) this.givenAway.add(space.cell[q]!);
    }
    this.log(`given away, proved in a neighbourhood: ${this.givenAway.size} cells; ${this.open().length} open, ${this.lps} LPs so far`);
    const everything = [...space.keys.keys()].filter((q) => !space.national[q]);
    const deadline = performance.now() + this.everythingSeconds * 1000;
    for (;;) {
      const covered = this.covered(), withheld = this.withheld.reduce((n, c) => n + c, 0);
      const failed: number[] = [];
      for (const sign of [1, -1] as const) {
        const open = this.open();
        const seconds = (deadline - performance.now()) / 1000;
        try {
          if (seconds < 1) throw new LpTimeLimit('no time left');
          if (open.length > 0) failed.push(...this.attempt(everything, open, sign, seconds));
        } catch (error) {
          if (!(error instanceof LpTimeLimit)) throw error;
          // Out of time: what is open is given away, not proved so (counted).
          for (const q of this.open()) { this.givenAway.add(space.cell[q]!); this.unproven.add(space.cell[q]!); }
          this.log(`given away: ${this.givenAway.size} cells, ${this.unproven.size} of them not proved (the LPs over everything out of time)`);
          return;
        }
      }
      this.log(`everything, each way: ${this.open().length} open, ${this.lps} LPs so far`);
      if (this.open().length === 0) return;
      if (this.covered() > covered || this.withheld.reduce((n, c) => n + c, 0) > withheld || this.inGroups()) continue;
      for (const q of this.open()) this.givenAway.add(space.cell[q]!);
      for (const q of failed) if (this.witnessOf[q] === -1) this.unproven.add(space.cell[q]!);
      this.log(`given away: ${this.givenAway.size} cells no witness was found for (${this.unproven.size} of them with one that failed the check)`);
      return;
    }
  }

  /**
   * For each open target, an LP of its own over its neighbourhood that may withhold a published
   * zero together with the non-zero cells beside it under a national figure (witness-lp.ts
   * `groups`), which the LPs that withhold one cell at a time never try. Whether it protected or
   * withheld more.
   */
  private inGroups(): boolean {
    const { space } = this;
    const covered = this.covered(), withheld = this.withheld.reduce((n, c) => n + c, 0);
    for (const q of this.open()) {
      if (this.witnessOf[q] !== -1) continue;
      const nodes = reach(space, q, GROUP_NEIGHBOURHOOD);
      this.attempt(nodes, [q], 1, undefined, true);
      if (this.witnessOf[q] === -1 && space.value[q]! - 1 >= this.lo[q]!) this.attempt(nodes, [q], -1, undefined, true);
    }
    this.log(`in groups: ${this.open().length} open, ${this.lps} LPs so far`);
    return this.covered() > covered || this.withheld.reduce((n, c) => n + c, 0) > withheld;
  }

  /** How many quantities have a witness. */
  private covered(): number {
    return this.witnessOf.reduce((n, w) => n + (w === -1 ? 0 : 1), 0);
  }

  /** One LP; its witness, checked, covers every target it moves. Returns the targets moved by an optimum that failed the check. */
  private attempt(nodes: readonly number[], targets: readonly number[], sign?: 1 | -1, seconds?: number, groups = false): number[] {
    const still = targets.filter((q) => this.witnessOf[q] === -1);
    if (still.length === 0) return [];
    const w = solveWitness(this.highs, this.space, this.withheld, this.pinned, this.lo, nodes, still, { salt: this.salt, sign, seconds, groups });
    this.lps += 1;
    if (!w) return [];
    this.withhold(w.q);
    if (w.also) this.withhold(w.also);
    if (!holds(this.space, this.withheld, this.lo, w)) { const moved = new Set(w.q); return still.filter((q) => moved.has(q)); }
    const id = this.witnesses.length;
    this.witnesses.push(w);
    for (let i = 0; i < w.q.length; i += 1) if (this.space.protects[w.q[i]!] && w.delta[i] !== 0 && this.witnessOf[w.q[i]!] === -1) this.witnessOf[w.q[i]!] = id;
    return [];
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

function groupBy<T>(items: readonly T[], label: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const l = label(item);
    (out.get(l) ?? out.set(l, []).get(l)!).push(item);
  }
  return out;
}
