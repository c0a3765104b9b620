// Every event type of events.md, each the envelope with its `type` and payload.
import { z } from 'zod';
import { envelopeFields } from '../envelope.ts';
import { crimeCancelledPayload, crimeReclassifiedPayload, crimeRecordedPayload, outcomeAssignedPayload, suspectPayload } from './crime.ts';
import { dvdsAppliedPayload, dvdsDecidedPayload, orderAppliedPayload, orderBreachedPayload, orderDecidedPayload } from './orders.ts';
import { allegationFinalisedPayload, allegationReceivedPayload } from './allegations.ts';
import { returnSubmittedPayload } from './returns.ts';
import { eventRetractedPayload, submissionClosedPayload } from './corrections.ts';

function eventOf<T extends string, P extends z.ZodType>(type: T, payload: P) {
  return z.strictObject({ ...envelopeFields, type: z.literal(type), payload });
}

export const crimeRecorded = eventOf('crime.recorded', crimeRecordedPayload);
export const crimeReclassified = eventOf('crime.reclassified', crimeReclassifiedPayload);
export const crimeCancelled = eventOf('crime.cancelled', crimeCancelledPayload);
export const outcomeAssigned = eventOf('outcome.assigned', outcomeAssignedPayload);
export const suspectOutstanding = eventOf('suspect.outstanding', suspectPayload);
export const suspectResolved = eventOf('suspect.resolved', suspectPayload);
export const orderApplied = eventOf('order.applied', orderAppliedPayload);
export const orderDecided = eventOf('order.decided', orderDecidedPayload);
export const orderBreached = eventOf('order.breached', orderBreachedPayload);
export const dvdsApplied = eventOf('dvds.applied', dvdsAppliedPayload);
export const dvdsDecided = eventOf('dvds.decided', dvdsDecidedPayload);
export const allegationReceived = eventOf('allegation.received', allegationReceivedPayload);
export const allegationFinalised = eventOf('allegation.finalised', allegationFinalisedPayload);
export const returnSubmitted = eventOf('return.submitted', returnSubmittedPayload);
export const eventRetracted = eventOf('event.retracted', eventRetractedPayload);
export const submissionClosed = eventOf('submission.closed', submissionClosedPayload);

/** Every event type a force may send, keyed by `type`: the source of the JSON Schema export. */
export const eventSchemas = {
  'crime.recorded': crimeRecorded,
  'crime.reclassified': crimeReclassified,
  'crime.cancelled': crimeCancelled,
  'outcome.assigned': outcomeAssigned,
  'suspect.outstanding': suspectOutstanding,
  'suspect.resolved': suspectResolved,
  'order.applied': orderApplied,
  'order.decided': orderDecided,
  'order.breached': orderBreached,
  'dvds.applied': dvdsApplied,
  'dvds.decided': dvdsDecided,
  'allegation.received': allegationReceived,
  'allegation.finalised': allegationFinalised,
  'return.submitted': returnSubmitted,
  'event.retracted': eventRetracted,
  'submission.closed': submissionClosed,
} as const;

export const forceEvent = z.discriminatedUnion('type', [
  crimeRecorded, crimeReclassified, crimeCancelled, outcomeAssigned, suspectOutstanding, suspectResolved,
  orderApplied, orderDecided, orderBreached, dvdsApplied, dvdsDecided,
  allegationReceived, allegationFinalised, returnSubmitted, eventRetracted, submissionClosed,
]);

export type ForceEvent = z.infer<typeof forceEvent>;
export type EventType = ForceEvent['type'];
export type EventOf<T extends EventType> = Extract<ForceEvent, { type: T }>;
export type CrimeRecorded = EventOf<'crime.recorded'>;
export const eventTypes = Object.keys(eventSchemas) as EventType[];
