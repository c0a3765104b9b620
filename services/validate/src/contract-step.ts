// Applies the event contract to one raw message. The same rules ran at ingest for the receipt;
// running them here too means the raw topic is never trusted, whoever wrote to it and with
// whichever version of the contract.
import { maskIdentifier, maskText, parseEvent, rawMessage, redactValue } from '@vawg/contracts';
import type { ConsumedMessage } from '@vawg/bus';
import type { StepResult } from './results.ts';

export function createContractStep(serviceVersion: string, now: () => Date = () => new Date()) {
  return function checkContract(message: ConsumedMessage): StepResult {
    const text = message.value.toString('utf8');
    let decoded: unknown;
    try {
      decoded = JSON.parse(text);
    } catch {
      return { type: 'undecodable', reason: 'not a raw message v1: not JSON' };
    }
    const raw = rawMessage.safeParse(decoded);
    if (!raw.success) return { type: 'undecodable', reason: `not a raw message v1: ${raw.error.issues[0]?.message ?? 'invalid'}` };
    const { event, ...receipt } = raw.data;
    const parsed = parseEvent(event, { force: receipt.force, receivedAt: new Date(receipt.receivedAt) });
    if (parsed.ok) return { type: 'ok', message: { ...receipt, event: parsed.event } };
    const eventId = typeof event === 'object' && event !== null && 'eventId' in event && typeof event.eventId === 'string' ? maskIdentifier(event.eventId) : null;
    return {
      type: 'refuse',
      failure: {
        type: 'failure.validate', v: 1, submissionId: receipt.submissionId, line: receipt.line, force: receipt.force,
        receivedAt: receipt.receivedAt, eventId, code: parsed.refusal.code, message: maskText(parsed.refusal.message),
        original: redactValue(event, parsed.redactions), refusedAt: now().toISOString(), serviceVersion,
      },
    };
  };
}
