// Which case an event belongs to, and what a case contributes, whatever its kind.
import type { ForceEvent } from '@vawg/contracts';
import type { Contribution } from '../contribution.ts';
import { crimeContribution } from './crime.ts';
import { allegationContribution, dvdsContribution, orderContribution } from './orders.ts';

export const caseKinds = ['crime', 'order', 'dvds', 'allegation', 'return', 'closure'] as const;
export type CaseKind = (typeof caseKinds)[number];

export interface CaseRef {
  kind: CaseKind;
  ref: string;
}

/** The case an event is a fact about; null for a retraction, which is about another event. */
export function caseOf(event: ForceEvent): CaseRef | null {
  switch (event.type) {
    case 'crime.recorded': case 'crime.reclassified': case 'crime.cancelled':
    case 'outcome.assigned': case 'suspect.outstanding': case 'suspect.resolved':
      return { kind: 'crime', ref: event.payload.crimeRef };
    case 'order.applied': case 'order.decided': case 'order.breached':
      return { kind: 'order', ref: event.payload.orderRef };
    case 'dvds.applied': case 'dvds.decided':
      return { kind: 'dvds', ref: event.payload.applicationRef };
    case 'allegation.received': case 'allegation.finalised':
      return { kind: 'allegation', ref: event.payload.allegationRef };
    case 'return.submitted':
      return { kind: 'return', ref: `${event.payload.kpi}|${event.payload.period}` };
    case 'submission.closed':
      return { kind: 'closure', ref: `${event.payload.dataset}|${event.payload.month}` };
    case 'event.retracted':
      return null;
  }
}

/** What a case's standing events (retracted ones removed) contribute to the count and median cells. */
export function caseContribution(kind: CaseKind, events: readonly ForceEvent[]): Contribution {
  switch (kind) {
    case 'crime': return crimeContribution(events);
    case 'order': return orderContribution(events);
    case 'dvds': return dvdsContribution(events);
    case 'allegation': return allegationContribution(events);
    // Returns and closures are kept and read as they are; they are not counted.
    case 'return': case 'closure': return { counts: [], observations: [] };
  }
}

export { foldCrime, outstandingChanges, crimeContribution } from './crime.ts';
export { orderContribution, dvdsContribution, allegationContribution } from './orders.ts';
