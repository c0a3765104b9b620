import type { FailureRecord, ValidMessage } from '@vawg/contracts';

/** A failure record of the validate stage for an event that passed the contract but not a rule of state. */
export function stateFailure(message: ValidMessage, code: string, text: string, serviceVersion: string, at: Date): FailureRecord {
  const { event, v: _v, ...receipt } = message;
  return {
    type: 'failure.validate', v: 1, ...receipt, eventId: event.eventId, code, message: text,
    original: event, refusedAt: at.toISOString(), serviceVersion,
  };
}
