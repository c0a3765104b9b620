// The disclosure audit every publication passes before any file is written (issue 11): the whole
// system of relations between its cells (system.ts), and for every withheld count the rules
// protect, a proof by LP that what is published leaves it more than one possible value, or the
// finding that it does not (certify.ts, exact mode: a count not proved free in a smaller
// neighbourhood is searched over its whole connected component).
import type { Highs } from 'highs';
import type { PublishedRow } from '../cells.ts';
import { certify } from './certify.ts';
import type { Relation } from './relations.ts';
import { linearSystem } from './system.ts';

export interface AuditResult {
  /** Cells withheld. */
  withheld: number;
  /** Withheld quantities the rules protect (counts and numerators of at least 1), and the classes they fall in once equal ones are merged. */
  protectedQuantities: number;
  /** Cells any of whose protected quantities has a single possible value: empty when the audit passes. */
  recovered: string[];
  lps: number;
  seconds: number;
}

export function auditPublication(highs: Highs, rows: readonly PublishedRow[], truth: readonly PublishedRow[], relations: readonly Relation[]): AuditResult {
  const started = performance.now();
  const system = linearSystem(rows, truth, relations);
  const { fixed, lps } = certify(highs, system);
  const recovered = [...new Set(system.targets.filter((t) => t.cls < 0 || fixed.has(t.cls)).map((t) => t.cell))].sort();
  return {
    withheld: rows.filter((r) => r.suppressed).length,
    protectedQuantities: system.targets.length,
    recovered,
    lps,
    seconds: (performance.now() - started) / 1000,
  };
}
