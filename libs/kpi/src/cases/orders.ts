// Protective orders, DVDS applications and complaints about police: cases with a start (applied,
// received) and a current decision (the latest), counted in the month of each fact.
import { allegationOutcomes, type EventOf, type ForceEvent } from '@vawg/contracts';
import { daysBetween, latestOf } from '../facts.ts';
import { monthOf } from '../periods.ts';
import type { Contribution, CountCell } from '../contribution.ts';

const allegationGroup = new Map(allegationOutcomes.map((o) => [o.id, o.group]));
const count = (measure: string, on: string, splits: Record<string, string>): CountCell[] =>
  [['all', 'all'] as const, ...Object.entries(splits)].map(([split, category]) => ({ measure, month: monthOf(on), split, category, value: 1 }));
const of = <T extends ForceEvent['type']>(events: readonly ForceEvent[], type: T) => events.filter((e): e is EventOf<T> => e.type === type);

/**
 * 6.1, 6.2. A decision or breach waits for the order's application, which gives its type. A breach
 * counts only while the order has a standing grant (events.md: a breach of an order never granted
 * is refused): retract the grant and its breaches leave every count, as if it had never been sent.
 */
export function orderContribution(events: readonly ForceEvent[]): Contribution {
  const applied = latestOf(of(events, 'order.applied'));
  if (!applied) return { counts: [], observations: [] };
  const type = { 'order-type': applied.payload.orderType };
  const counts = count('orders-applied', applied.occurredAt, type);
  const decisions = of(events, 'order.decided');
  const decision = latestOf(decisions);
  if (decision?.payload.decision === 'granted') counts.push(...count('orders-granted', decision.occurredAt, type));
  if (decisions.some((d) => d.payload.decision === 'granted')) {
    for (const breach of of(events, 'order.breached')) counts.push(...count('orders-breached', breach.occurredAt, type));
  }
  return { counts, observations: [] };
}

/** 6.3, 6.4. A decision waits for its application, which gives the route and the start date. */
export function dvdsContribution(events: readonly ForceEvent[]): Contribution {
  const applied = latestOf(of(events, 'dvds.applied'));
  if (!applied) return { counts: [], observations: [] };
  const route = { 'dvds-route': applied.payload.route };
  const counts = count('dvds-applications', applied.occurredAt, route);
  const decision = latestOf(of(events, 'dvds.decided'));
  if (!decision) return { counts, observations: [] };
  if (decision.payload.disclosed) counts.push(...count('dvds-disclosures', decision.occurredAt, route));
  const days = daysBetween(applied.occurredAt, decision.occurredAt);
  return { counts, observations: count('days-dvds-decision', decision.occurredAt, route).map(({ value: _v, ...cell }) => ({ ...cell, days })) };
}

/** 1.1-1.3. The outcome counts on its own; the days to it wait for the allegation's receipt. */
export function allegationContribution(events: readonly ForceEvent[]): Contribution {
  const received = latestOf(of(events, 'allegation.received'));
  const finalised = latestOf(of(events, 'allegation.finalised'));
  const counts: CountCell[] = [];
  const byAllegation = received ? { 'allegation-category': received.payload.category, 'allegation-kind': received.payload.kind } : null;
  if (received && byAllegation) counts.push(...count('allegations-received', received.occurredAt, byAllegation));
  if (!finalised) return { counts, observations: [] };
  const outcome = finalised.payload.outcome;
  counts.push(...count('allegations-finalised', finalised.occurredAt, { 'allegation-outcome': outcome, 'allegation-outcome-group': allegationGroup.get(outcome) ?? 'unknown' }));
  if (!received || !byAllegation) return { counts, observations: [] };
  const days = daysBetween(received.occurredAt, finalised.occurredAt);
  return { counts, observations: count('days-allegation-to-outcome', finalised.occurredAt, byAllegation).map(({ value: _v, ...cell }) => ({ ...cell, days })) };
}
