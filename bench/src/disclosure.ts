// (h) Disclosure control across tables (issue 11) on a national half-year: 44 forces of synthetic
// data, every measure and split, six months and the half-year. The splits' own rules, the
// protection by witnesses, and the audit a publication runs before writing anything.
import { forceIds } from '@vawg/contracts';
import { buildRows } from '@vawg/kpi';
import { protect } from '@vawg/kpi/disclosure';
import { inputOfEvents } from '@vawg/kpi/input-of-events';
import { seeded, syntheticHistory } from '@vawg/synthetic';

export interface DisclosureBench {
  rows: number;
  withheldToday: number;
  primary: number;
  secondary: number;
  givenAway: number;
  auditPassed: boolean;
  protectionSeconds: number;
  auditSeconds: number;
  lps: number;
}

export async function benchDisclosure(crimesPerForceMonth: number, progress: (line: string) => void): Promise<DisclosureBench> {
  const half = '2025-H1';
  const random = seeded(11);
  const events = forceIds.flatMap((force, i) => [...syntheticHistory(random, { force, from: '2025-01-01', to: '2025-10-31', crimes: crimesPerForceMonth * 10, refPrefix: `D${i}` })]);
  const input = inputOfEvents(events, half);
  // Today's rules before issue 11: within one split, the next smallest withheld beside a lone one.
  const today = buildRows(half, forceIds, input);
  // protect, not protectedRows: the figures whether or not the audit passes (a publication would be refused).
  const { rows, disclosure } = await protect(half, forceIds, input, progress);
  return {
    rows: rows.length, withheldToday: today.filter((r) => r.suppressed).length,
    primary: disclosure.primary, secondary: disclosure.secondary, givenAway: disclosure.givenAway, auditPassed: disclosure.audit.passed,
    protectionSeconds: disclosure.protectionSeconds, auditSeconds: disclosure.audit.seconds, lps: disclosure.lps,
  };
}
