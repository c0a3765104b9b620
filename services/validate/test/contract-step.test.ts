import { describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '@vawg/bus';
import { createContractStep } from '../src/contract-step.ts';

const message = (value: unknown): ConsumedMessage => ({
  topic: 'raw', partition: 0, offset: 7, key: 'kent', headers: {}, timestamp: 0,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

const event = {
  eventId: '3f2b8c1e-8d4a-4b7e-9c1a-2e5f6a7b8c9d', type: 'crime.recorded', schemaVersion: 1, force: 'kent',
  occurredAt: '2025-05-01', producedAt: '2025-05-01T10:00:00Z',
  payload: { crimeRef: 'K1', offenceGroup: 'rape', domesticAbuse: false, victim: { sex: 'female', ageBand: '18-24', ethnicity: 'white' } },
};
const raw = { v: 1, submissionId: '0b8f2a8e-3c1d-4e5f-8a9b-1c2d3e4f5a6b', line: 3, force: 'kent', receivedAt: '2025-06-01T09:00:00.000Z' };

describe('the contract step of validate', () => {
  const step = createContractStep('validate@test', () => new Date('2025-06-01T09:00:01Z'));

  it('passes a valid event on with its receipt', () => {
    expect(step(message({ ...raw, event }))).toEqual({ type: 'ok', message: { ...raw, event } });
  });

  it('refuses an invalid event with a failure record that keeps the original', () => {
    const bad = { ...event, payload: { ...event.payload, offenceGroup: 'arson' } };
    expect(step(message({ ...raw, event: bad }))).toEqual({
      type: 'refuse',
      failure: {
        type: 'failure.validate', ...raw, eventId: event.eventId, code: 'payload.offenceGroup.invalid',
        message: expect.stringContaining('payload.offenceGroup') as unknown, original: bad,
        refusedAt: '2025-06-01T09:00:01.000Z', serviceVersion: 'validate@test',
      },
    });
  });

  it('judges dates against when ingest received the event, not when validate runs', () => {
    const late = createContractStep('validate@test', () => new Date('2030-01-01T00:00:00Z'));
    expect(late(message({ ...raw, event })).type).toBe('ok');
  });

  it('calls undecodable what is not a raw message', () => {
    expect(step(message('not json'))).toEqual({ type: 'undecodable', reason: 'not a raw message v1: not JSON' });
    expect(step(message({ ...raw, v: 2, event }))).toMatchObject({ type: 'undecodable', reason: expect.stringMatching(/^not a raw message v1: /) as unknown });
  });
});
