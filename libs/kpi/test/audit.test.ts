// The relations between published cells hold on the true values, and the propagation attacker
// works out only true values: the tools issue 11's disclosure control is judged by.
import { describe, expect, it } from 'vitest';
import { seeded, syntheticHistory } from '@vawg/synthetic';
import type { ForceEvent } from '@vawg/contracts';
import { buildRows, monthsOfHalfYear, type PublishedRow } from '../src/index.ts';
import { fieldsOf, quantitiesOf, quantityKey, relationsOf, type Relation } from '../src/audit/relations.ts';
import { propagate } from '../src/audit/attacker.ts';
import { protectAcrossTables } from '../src/audit/protect.ts';
import { linearSystem, zeroEligible, type LinearSystem } from '../src/audit/system.ts';
import { certify } from '../src/audit/certify.ts';
import { auditPublication } from '../src/audit/audit.ts';
import { loadSolver } from '../src/audit/publish.ts';
import type { Highs } from 'highs';
import fc from 'fast-check';
import { inputOfEvents } from '../src/audit/input-of-events.ts';

const HALF = '2025-H1';
const FORCES = ['cumbria', 'dorset', 'essex', 'kent'];

function history(seed: number, crimes: number): ForceEvent[] {
  const random = seeded(seed);
  return FORCES.flatMap((force, i) => [...syntheticHistory(random, { force, from: '2024-04-01', to: '2025-09-30', crimes: crimes * (i + 1), refPrefix: `A${i}` })]);
}

const truthOf = quantitiesOf;

describe('the relations between published cells', () => {
  const events = history(5, 40);
  const input = inputOfEvents(events, HALF);
  const months = monthsOfHalfYear(HALF);
  const truth = truthOf(buildRows(HALF, FORCES, input, { disclosure: false }));
  const published = buildRows(HALF, FORCES, input);

  it('hold, every one, on the true values', () => {
    const relations = relationsOf(published, HALF, months);
    expect(relations.length).toBeGreaterThan(1000);
    const kinds = new Set(relations.map((r) => r.kind));
    expect([...kinds].sort()).toEqual(['geography', 'linked-split', 'measure', 'split', 'time']);
    const broken = relations.filter((r) => r.terms.reduce((s, t) => s + t.coef * truth.get(t.key)!, 0) !== 0);
    expect(broken.slice(0, 3)).toEqual([]);
  });

  it('let the attacker work out only true values', () => {
    // Today's rules may withhold a zero (a complement with no other cell): nothing is at least 1.
    const result = propagate(published, relationsOf(published, HALF, months), () => 0);
    expect(result.cellsWithheld).toBeGreaterThan(0);
    const wrong = [...result.recovered].filter(([key, value]) => truth.get(key) !== value);
    expect(wrong).toEqual([]);
  });
});

/** The least and greatest value of protected classes (every one, or a sample of `sample`), each by its own LP over the whole system: the audit's answer, got the slow way. */
function ranges(highs: Highs, system: LinearSystem, sample = Infinity): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  const starts = [0], indices: number[] = [], values: number[] = [];
  for (const row of system.rows) { indices.push(...row.cols); values.push(...row.coefs); starts.push(indices.length); }
  const classes = [...new Set(system.targets.map((t) => t.cls).filter((c) => c >= 0))];
  const step = Math.max(1, Math.floor(classes.length / sample));
  for (const cls of classes.filter((_, i) => i % step === 0)) {
    const range = [1, -1].map((sense) => {
      const model = highs.createModel({
        numCols: system.classes, numRows: system.rows.length, sense: highs.constants.objectiveSense.minimize,
        colCost: system.truth.map((_, k) => (k === cls ? sense : 0)), colLower: system.lo, colUpper: system.hi,
        rowLower: system.rows.map((r) => r.lower), rowUpper: system.rows.map((r) => r.upper),
        matrix: { format: 'csr', numRows: system.rows.length, numCols: system.classes, starts, indices, values },
      });
      try {
        model.options.set({ output_flag: false });
        model.run();
        if (model.getModelStatus() === highs.constants.modelStatus.unbounded) return sense * -Infinity;
        expect(model.getModelStatus()).toBe(highs.constants.modelStatus.optimal);
        return model.getSolution().colValue[cls]!;
      } finally {
        model.dispose();
      }
    }) as [number, number];
    out.set(cls, range);
  }
  return out;
}

const rulesLower = (rows: readonly PublishedRow[], relations: readonly Relation[]) => {
  const known = new Map<string, number>();
  const national = new Set<string>();
  for (const r of rows) for (const f of fieldsOf(r.measure)) {
    const key = quantityKey(r.period, r.geography, r.measure, r.split, r.category, f);
    if (!r.suppressed && r[f] !== null) known.set(key, r[f]);
    if (r.geography === 'national') national.add(key);
  }
  const eligible = zeroEligible(relations, known, (k) => national.has(k));
  return (r: PublishedRow, field: string) => (field === 'numerator' || eligible.has(quantityKey(r.period, r.geography, r.measure, r.split, r.category, field as 'value')) ? 0 : 1);
};

describe('the LP audit', () => {
  it('finds exactly the withheld counts an LP per count finds fixed, where the splits\' own rules are all there is (a weakened rule set fails it)', async () => {
    const highs = await loadSolver();
    const input = inputOfEvents(history(7, 12), HALF);
    const months = monthsOfHalfYear(HALF);
    const truth = buildRows(HALF, FORCES, input, { disclosure: false });
    const relations = relationsOf(truth, HALF, months);
    const weak = protectAcrossTables(highs, buildRows(HALF, FORCES, input, { complementZeros: false }), truth, relations, { maxRounds: 0 });
    const audit = auditPublication(highs, weak.rows, truth, relations);
    expect(audit.recovered.length).toBeGreaterThan(0);
    const system = linearSystem(weak.rows, truth, relations);
    const exact = ranges(highs, system);
    const { fixed } = certify(highs, system);
    for (const [cls, [least, greatest]] of exact) {
      expect(least).toBeLessThanOrEqual(system.truth[cls]! + 1e-6);
      expect(greatest).toBeGreaterThanOrEqual(system.truth[cls]! - 1e-6);
      expect(fixed.has(cls)).toBe(greatest - least < 1e-6);
    }
    expect(fixed.size).toBeGreaterThan(0);
  });

  it('agrees with an LP per count on any data set, before and after the protection across tables, which keeps every primary cell and national figure and leaves the attacker only true values (property)', async () => {
    const highs = await loadSolver();
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 3, max: 15 }), (seed, forces, crimes) => {
      const random = seeded(seed);
      const ids = FORCES.slice(0, forces);
      const events = ids.flatMap((force, i) => [...syntheticHistory(random, { force, from: '2024-10-01', to: '2025-07-31', crimes: crimes * (i + 1), refPrefix: `P${i}` })]);
      const input = inputOfEvents(events, HALF);
      const truth = buildRows(HALF, ids, input, { disclosure: false });
      const primary = buildRows(HALF, ids, input, { complementZeros: false });
      const relations = relationsOf(truth, HALF, monthsOfHalfYear(HALF));
      const { rows } = protectAcrossTables(highs, primary, truth, relations);
      rows.forEach((r, i) => {
        if (primary[i]!.suppressed) expect(r.suppressed).toBe(true);
        if (r.geography === 'national') expect(r.suppressed).toBe(false);
      });
      for (const published of [primary, rows]) {
        const system = linearSystem(published, truth, relations);
        const { fixed } = certify(highs, system);
        // Fixed where the LP per count says so: every class it found fixed, and a sample of the rest.
        const sample = ranges(highs, system, 30);
        for (const [cls, [least, greatest]] of sample) expect(fixed.has(cls)).toBe(greatest - least < 1e-6);
        for (const [cls, [least, greatest]] of ranges(highs, { ...system, targets: system.targets.filter((t) => fixed.has(t.cls)) })) {
          expect(greatest - least, `class ${cls}`).toBeLessThan(1e-6);
        }
      }
      const attack = propagate(rows, relations, rulesLower(rows, relations));
      const truthByKey = truthOf(truth);
      expect([...attack.recovered].filter(([key, value]) => truthByKey.get(key) !== value)).toEqual([]);
    }), { numRuns: 3 });
  }, 600_000);
});
