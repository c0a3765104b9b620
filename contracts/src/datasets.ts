// The five datasets a force closes month by month (`submission.closed`), and which one each
// event type belongs to: the unit of completeness (operations.md). Retractions and closures are
// corrections and declarations about a dataset, not part of its volume.
import type { datasets } from './events/corrections.ts';
import { eventTypes, type EventType } from './events/index.ts';

export type Dataset = (typeof datasets)[number];

const byType: Record<EventType, Dataset | null> = {
  'crime.recorded': 'crime', 'crime.reclassified': 'crime', 'crime.cancelled': 'crime', 'outcome.assigned': 'crime',
  'suspect.outstanding': 'crime', 'suspect.resolved': 'crime',
  'order.applied': 'orders', 'order.decided': 'orders', 'order.breached': 'orders',
  'dvds.applied': 'dvds', 'dvds.decided': 'dvds',
  'allegation.received': 'allegations', 'allegation.finalised': 'allegations',
  'return.submitted': 'returns',
  'event.retracted': null, 'submission.closed': null,
};

/** The dataset of an event type; null for retractions, closures and anything not an event type. */
export function datasetOfType(type: string): Dataset | null {
  return (eventTypes as readonly string[]).includes(type) ? byType[type as EventType] : null;
}

const MONTH_OF_DATE = /^(\d{4}-(0[1-9]|1[0-2]))-\d{2}$/;

/**
 * The completeness cell (dataset and month of `occurredAt`) of anything that looks like an event,
 * valid or not: a refused line still counts against the month it was for, when it says which.
 */
export function cellOfValue(value: unknown): { dataset: Dataset; month: string } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { type, occurredAt } = value as { type?: unknown; occurredAt?: unknown };
  if (typeof type !== 'string' || typeof occurredAt !== 'string') return null;
  const dataset = datasetOfType(type);
  const month = MONTH_OF_DATE.exec(occurredAt)?.[1];
  return dataset && month ? { dataset, month } : null;
}
