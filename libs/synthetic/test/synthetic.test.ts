import { describe, expect, it } from 'vitest';
import { parseEvent } from '@vawg/contracts';
import { seeded, shuffle, syntheticCrimes } from '../src/index.ts';

describe('synthetic crimes', () => {
  const options = { force: 'kent', count: 500, from: '2025-04-01', to: '2025-09-30' };

  it('are the same for the same seed and different for another', () => {
    expect(syntheticCrimes(seeded(1), options)).toEqual(syntheticCrimes(seeded(1), options));
    expect(syntheticCrimes(seeded(2), options)).not.toEqual(syntheticCrimes(seeded(1), options));
  });

  it('all pass the contract, stay within their dates, and have unique ids and references', () => {
    const crimes = syntheticCrimes(seeded(3), options);
    for (const crime of crimes) expect(parseEvent(crime, { force: 'kent', receivedAt: new Date('2025-10-01T12:00:00Z') })).toMatchObject({ ok: true });
    expect(crimes.every((c) => c.occurredAt >= '2025-04-01' && c.occurredAt <= '2025-09-30')).toBe(true);
    expect(new Set(crimes.map((c) => c.eventId)).size).toBe(500);
    expect(new Set(crimes.map((c) => c.payload.crimeRef)).size).toBe(500);
  });

  it('shuffles into another order of the same items', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = shuffle(seeded(4), [...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });
});
