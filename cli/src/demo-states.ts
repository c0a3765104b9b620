// What `vawg demo` does to its synthetic year so that the operators' console shows every state
// of completeness: one force never closes a month (late), one sends nothing for a month (silent),
// one sends three times its usual crimes in a month (anomalous). Pure: events in, events out.
import { randomUUID } from 'node:crypto';
import { datasetOfType, type ForceEvent } from '@vawg/contracts';

export const demoForces = { late: 'dorset', silent: 'cumbria', anomalous: 'north-yorkshire', deadLetter: 'lincolnshire' } as const;

/** Which month of the published half-year each state falls in (0 to 5): all ended, and late by now. */
const MONTH_INDEX = { silent: 2, anomalous: 3, late: 4 } as const;

export interface DemoMonths { late: string; silent: string; anomalous: string }

export function demoMonths(halfYearMonths: readonly string[]): DemoMonths {
  return { late: halfYearMonths[MONTH_INDEX.late]!, silent: halfYearMonths[MONTH_INDEX.silent]!, anomalous: halfYearMonths[MONTH_INDEX.anomalous]! };
}

const monthOf = (e: ForceEvent) => e.occurredAt.slice(0, 7);

/**
 * A history generated from before the year, cut at its first day as a force's feed would be: the
 * events from `from` on, except closures of earlier months and every event of an order, DVDS
 * application or allegation opened before it (a breach of an order granted before the year would
 * wait for a grant that never comes). Crimes' later events stay: an outcome may come for any crime.
 */
export function fromYearStart(events: readonly ForceEvent[], from: string): ForceEvent[] {
  const before = new Set<string>();
  for (const e of events) {
    if (e.occurredAt >= from) continue;
    if (e.type === 'order.applied') before.add(`order|${e.payload.orderRef}`);
    if (e.type === 'dvds.applied') before.add(`dvds|${e.payload.applicationRef}`);
    if (e.type === 'allegation.received') before.add(`allegation|${e.payload.allegationRef}`);
  }
  const caseOf = (e: ForceEvent): string | null => {
    if (e.type.startsWith('order.')) return `order|${(e.payload as { orderRef: string }).orderRef}`;
    if (e.type.startsWith('dvds.')) return `dvds|${(e.payload as { applicationRef: string }).applicationRef}`;
    if (e.type.startsWith('allegation.')) return `allegation|${(e.payload as { allegationRef: string }).allegationRef}`;
    return null;
  };
  return events.filter((e) => {
    if (e.occurredAt < from) return false;
    if (e.type === 'submission.closed') return e.payload.month >= from.slice(0, 7);
    const c = caseOf(e);
    return !c || !before.has(c);
  });
}

export function shapeForDemo(force: string, events: readonly ForceEvent[], months: DemoMonths): ForceEvent[] {
  switch (force) {
    case demoForces.late:
      // Everything sent, but the month never declared complete.
      return events.filter((e) => !(e.type === 'submission.closed' && e.payload.dataset === 'crime' && e.payload.month === months.late));
    case demoForces.silent:
      // Nothing at all for the month's crimes, and no closure.
      return events.filter((e) => !(e.type === 'submission.closed' ? e.payload.dataset === 'crime' && e.payload.month === months.silent
        : datasetOfType(e.type) === 'crime' && monthOf(e) === months.silent));
    case demoForces.anomalous: {
      // Every crime of the month sent three times over under new references, as a system that
      // re-keyed a backlog might: the month is closed, and far above the force's own history.
      const extra = events.flatMap((e) => (e.type === 'crime.recorded' && monthOf(e) === months.anomalous
        ? [1, 2].map((n) => ({ ...e, eventId: randomUUID(), payload: { ...e.payload, crimeRef: `${e.payload.crimeRef}-R${n}` } }))
        : []));
      return [...events, ...extra];
    }
    default:
      return [...events];
  }
}
