// A half-year's publication input from events, as aggregate would hold it: every case's
// contribution (the same functions aggregate applies), summed per force, month and cell; stocks'
// changes before the half-year as their opening balance. For the audit's tests.
import type { ForceEvent } from '@vawg/contracts';
import { caseContribution, caseOf, countKey, monthsOfHalfYear, OPENING, stockSources, type PublicationInput } from '../index.ts';

export function inputOfEvents(events: readonly ForceEvent[], halfYear: string): PublicationInput {
  const months = new Set(monthsOfHalfYear(halfYear));
  const first = [...months][0]!;
  const cases = new Map<string, { force: string; kind: ReturnType<typeof caseOf> & object; events: ForceEvent[] }>();
  const returns = new Set<string>();
  for (const e of events) {
    if (e.type === 'return.submitted' && e.payload.period === halfYear) returns.add(`${e.force}|${e.payload.kpi}`);
    const c = caseOf(e);
    if (!c) continue;
    const key = `${e.force}|${c.kind}|${c.ref}`;
    const found = cases.get(key) ?? cases.set(key, { force: e.force, kind: c, events: [] }).get(key)!;
    found.events.push(e);
  }
  const counts = new Map<string, number>();
  const histograms = new Map<string, Map<number, number>>();
  const add = (key: string, value: number) => counts.set(key, (counts.get(key) ?? 0) + value);
  for (const c of cases.values()) {
    const events = [...c.events].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
    const contribution = caseContribution(c.kind.kind, events);
    for (const cell of contribution.counts) {
      if (months.has(cell.month)) add(countKey(c.force, cell.month, cell.measure, cell.split, cell.category), cell.value);
      else if (cell.month < first && stockSources.includes(cell.measure)) add(countKey(c.force, OPENING, cell.measure, cell.split, cell.category), cell.value);
    }
    for (const o of contribution.observations) {
      if (!months.has(o.month)) continue;
      const key = countKey(c.force, o.month, o.measure, o.split, o.category);
      const h = histograms.get(key) ?? histograms.set(key, new Map()).get(key)!;
      h.set(o.days, (h.get(o.days) ?? 0) + 1);
    }
  }
  return { counts, histograms, returns };
}
