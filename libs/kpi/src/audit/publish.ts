// A half-year's rows as published (issue 11): the splits' own rules (publication.ts), secondary
// withholding across tables by witnesses (witness.ts), and the audit (audit.ts), which must pass
// before anything is written.
import highsLoader, { type Highs } from 'highs';
import type { PublishedRow } from '../cells.ts';
import { measures } from '../measures.ts';
import { monthsOfHalfYear } from '../periods.ts';
import { buildRows, NATIONAL, type PublicationInput } from '../publication.ts';
import { auditPublication, type AuditResult } from './audit.ts';
import { fieldsOf, inequalitiesOf, relationsOf } from './relations.ts';
import { spaceOf, withheldOf, type Space } from './space.ts';
import { cellKey } from './system.ts';
import { WitnessProtection } from './witness.ts';

let solver: Promise<Highs> | undefined;
/** HiGHS, loaded once (its WebAssembly module is a few MB). */
export const loadSolver = (): Promise<Highs> => (solver ??= highsLoader());

/** What protecting a measure cost: its cells withheld, and the share of its force-level half-year figures they hide. */
export interface ProtectionCost {
  kpi: string;
  measure: string;
  withheld: number;
  primary: number;
  secondary: number;
  /** Σ withheld force cells of the half-year, over every split but `all`, ÷ Σ the national ones (a rate's numerators, a median's n). */
  hiddenShare: number;
}

export interface DisclosureReport {
  rule: string;
  /** Cells withheld by the splits' own rules, and those withheld across tables. */
  primary: number;
  secondary: number;
  /** Withheld cells the protection found no way to protect: 0, or the audit fails (DisclosureAuditFailed). */
  givenAway: number;
  /** Of those, cells its search for a way was cut short for (out of time, or a witness failed the exact check). */
  givenAwayUnproven: number;
  withheld: number;
  lps: number;
  protectionSeconds: number;
  /**
   * The audit's result. Only what the published rows show anyway: how many withheld quantities
   * are at least 1, or how many witnesses there are, would tell a reader how many withheld cells
   * are zeros (the protection's log gives those).
   */
  audit: Pick<AuditResult, 'passed' | 'withheld' | 'attackerRecovered' | 'seconds'>;
  cost: ProtectionCost[];
}

export class DisclosureAuditFailed extends Error {
  constructor(readonly recovered: readonly string[], readonly givenAway = 0) {
    super(`disclosure audit failed: ${recovered.length} withheld cell(s) could be worked out exactly from what would be published`
      + `${givenAway > 0 ? ` (the protection found no way to protect ${givenAway})` : ''}, e.g. ${recovered.slice(0, 3).join('; ')}`);
  }
}

export const RULE = 'National figures are complete. Within a force, counts from 1 to 4, and rates and medians on a base under 10, are withheld, and more cells '
  + 'are withheld so that no withheld figure can be worked out exactly from what is published and the sums that hold between figures '
  + '(forces to national, months to half-year, categories to all, between measures), by anyone who knows these rules. A withheld count is at least 1, '
  + 'except under a national figure whose published force figures are all zeros, where zeros are withheld too, so that the force holding it cannot be told. '
  + 'A publication in which any withheld figure could still be worked out exactly is not made.';

/** The rows of a half-year, protected and audited; throws DisclosureAuditFailed rather than return rows that give a cell away. */
export async function protectedRows(period: string, forces: readonly string[], input: PublicationInput, log?: (line: string) => void): Promise<{ rows: PublishedRow[]; disclosure: DisclosureReport }> {
  const { rows, disclosure, recovered } = await protect(period, forces, input, log);
  if (!disclosure.audit.passed) throw new DisclosureAuditFailed(recovered, disclosure.givenAway);
  return { rows, disclosure };
}

/** The protection and its audit, passed or not, with the account: what protectedRows runs. */
export async function protect(period: string, forces: readonly string[], input: PublicationInput, log?: (line: string) => void): Promise<{ rows: PublishedRow[]; disclosure: DisclosureReport; recovered: string[] }> {
  const highs = await loadSolver();
  const started = performance.now();
  const truth = buildRows(period, forces, input, { disclosure: false });
  const primaryRows = buildRows(period, forces, input, { complementZeros: false });
  const relations = relationsOf(truth, period, monthsOfHalfYear(period));
  const space = spaceOf(truth, relations, inequalitiesOf(truth));
  const primary = withheldOf(space, primaryRows);
  const protection = new WitnessProtection(highs, space, primary, log);
  // What the protection found no way to protect stays withheld, and fails the audit.
  const givenAway = protection.protectAll();
  const rows = applyWithholding(primaryRows, space, protection.withheld);
  const protectionSeconds = (performance.now() - started) / 1000;
  const audit = auditPublication(rows, relations, space, protection.witnesses);
  const count = (cells: Uint8Array) => cells.reduce((n, c) => n + c, 0);
  const live = protection.witnesses.filter((w) => w !== null);
  log?.(`audit: ${audit.witnessed} of ${audit.protectedQuantities} protected quantities witnessed; ${live.length} witnesses, ${live.filter((w) => w.delta.every(Number.isInteger)).length} of them whole numbers`);
  return {
    rows,
    recovered: audit.recovered,
    disclosure: {
      rule: RULE,
      primary: count(primary), secondary: count(protection.withheld) - count(primary),
      givenAway: givenAway.length, givenAwayUnproven: protection.unproven.size, withheld: count(protection.withheld),
      lps: protection.lps, protectionSeconds,
      audit: { passed: audit.passed, withheld: audit.withheld, attackerRecovered: audit.attackerRecovered, seconds: audit.seconds },
      cost: costOf(rows, primaryRows),
    },
  };
}

/** The rows with the protection's cells withheld too (it never publishes a cell the splits' rules withhold). */
function applyWithholding(primaryRows: readonly PublishedRow[], space: Space, withheld: Uint8Array): PublishedRow[] {
  const index = new Map(space.cells.map((c, i) => [c, i]));
  return primaryRows.map((r) => {
    const c = index.get(cellKey(r));
    return c !== undefined && withheld[c] && !r.suppressed ? { ...r, value: null, numerator: null, denominator: null, n: null, suppressed: true } : r;
  });
}

const byId = new Map(measures.map((m) => [m.id, m]));

function costOf(rows: readonly PublishedRow[], primaryRows: readonly PublishedRow[]): ProtectionCost[] {
  const half = rows.find((r) => /-H[12]$/.test(r.period))?.period;
  const out = new Map<string, ProtectionCost & { hidden: number; national: number }>();
  rows.forEach((r, i) => {
    const m = byId.get(r.measure);
    if (!m) return;
    const c = out.get(m.id) ?? { kpi: m.kpi, measure: m.id, withheld: 0, primary: 0, secondary: 0, hiddenShare: 0, hidden: 0, national: 0 };
    out.set(m.id, c);
    if (r.suppressed) {
      c.withheld += 1;
      if (primaryRows[i]!.suppressed) c.primary += 1;
      else c.secondary += 1;
    }
    if (r.period !== half || r.split === 'all') return;
    const field = fieldsOf(m.id)[0]!;
    if (r.geography === NATIONAL) c.national += r[field] ?? 0;
  });
  // What the withheld force cells hold is the national figure less what the published ones do.
  const shown = new Map<string, number>();
  for (const r of rows) {
    if (r.period !== half || r.split === 'all' || r.geography === NATIONAL || r.suppressed) continue;
    const field = fieldsOf(r.measure)[0];
    if (field) shown.set(r.measure, (shown.get(r.measure) ?? 0) + (r[field] ?? 0));
  }
  return [...out.values()].map(({ hidden: _h, national, ...c }) => ({
    ...c, hiddenShare: national > 0 ? Math.round(((national - (shown.get(c.measure) ?? 0)) / national) * 10_000) / 10_000 : 0,
  }));
}
