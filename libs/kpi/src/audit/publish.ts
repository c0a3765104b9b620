// A half-year's rows as published: the splits' own rules (publication.ts), secondary withholding
// across tables (protect.ts), and the audit (audit.ts), which must pass before anything is written.
import highsLoader, { type Highs } from 'highs';
import type { PublishedRow } from '../cells.ts';
import { monthsOfHalfYear } from '../periods.ts';
import { buildRows, type PublicationInput } from '../publication.ts';
import { auditPublication, type AuditResult } from './audit.ts';
import { protectAcrossTables } from './protect.ts';
import { relationsOf } from './relations.ts';

let solver: Promise<Highs> | undefined;
/** HiGHS, loaded once (its WebAssembly module is a few MB). */
export const loadSolver = (): Promise<Highs> => (solver ??= highsLoader());

export interface DisclosureReport {
  /** Cells withheld by the splits' own rules, and across tables. */
  primary: number;
  secondary: number;
  /** Of the secondary cells, zeros: beside a force holding a whole national figure alone. */
  secondaryZeros: number;
  protectionRounds: number;
  protectionSeconds: number;
  audit: Omit<AuditResult, 'recovered'> & { passed: boolean; recovered: number };
}

export class DisclosureAuditFailed extends Error {
  constructor(readonly recovered: readonly string[]) {
    super(`disclosure audit failed: ${recovered.length} withheld cell(s) could be worked out exactly from what would be published, e.g. ${recovered.slice(0, 3).join('; ')}`);
  }
}

/** The rows of a half-year, protected and audited; throws DisclosureAuditFailed rather than return rows that give a cell away. */
export async function protectedRows(period: string, forces: readonly string[], input: PublicationInput): Promise<{ rows: PublishedRow[]; disclosure: DisclosureReport }> {
  const highs = await loadSolver();
  const started = performance.now();
  const truth = buildRows(period, forces, input, { disclosure: false });
  const relations = relationsOf(truth, period, monthsOfHalfYear(period));
  const protection = protectAcrossTables(highs, buildRows(period, forces, input, { complementZeros: false }), truth, relations);
  const protectionSeconds = (performance.now() - started) / 1000;
  const audit = auditPublication(highs, protection.rows, truth, relations);
  if (audit.recovered.length > 0) throw new DisclosureAuditFailed(audit.recovered);
  return {
    rows: protection.rows,
    disclosure: {
      primary: protection.primary, secondary: protection.secondary, secondaryZeros: protection.zeros,
      protectionRounds: protection.rounds, protectionSeconds,
      audit: { ...audit, passed: true, recovered: 0 },
    },
  };
}
