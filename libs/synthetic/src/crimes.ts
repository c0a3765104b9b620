// Synthetic crime.recorded events: plausible proportions, opaque references, no personal data.
import { offenceGroups, NOT_VAWG, type CrimeRecorded, type VictimSex, type AgeBand, type Ethnicity } from '@vawg/contracts';
import type { Random } from './random.ts';

const sexes: readonly (readonly [VictimSex, number])[] = [['female', 80], ['male', 15], ['other', 1], ['not-recorded', 4]];
const ages: readonly (readonly [AgeBand, number])[] = [
  ['0-15', 12], ['16-17', 5], ['18-24', 18], ['25-34', 24], ['35-44', 18], ['45-54', 11], ['55-64', 5], ['65+', 3], ['not-recorded', 4],
];
const ethnicities: readonly (readonly [Ethnicity, number])[] = [
  ['white', 70], ['asian', 8], ['black', 5], ['mixed', 3], ['other', 2], ['not-stated', 5], ['not-recorded', 7],
];
const groups = offenceGroups.filter((g) => g.id !== NOT_VAWG).map((g) => g.id);

export interface CrimeOptions {
  force: string;
  count: number;
  /** First and last `occurredAt`, inclusive, `YYYY-MM-DD`. */
  from: string;
  to: string;
  /** Prefix of the opaque crime references, so runs do not collide. */
  refPrefix?: string;
}

function dayBetween(random: Random, from: string, to: string): string {
  const start = Date.parse(`${from}T00:00:00Z`);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - start) / 86_400_000);
  return new Date(start + random.int(days + 1) * 86_400_000).toISOString().slice(0, 10);
}

export function syntheticCrimes(random: Random, options: CrimeOptions): CrimeRecorded[] {
  const prefix = options.refPrefix ?? 'CR';
  return Array.from({ length: options.count }, (_, i): CrimeRecorded => {
    const occurredAt = dayBetween(random, options.from, options.to);
    return {
      eventId: random.uuid(),
      type: 'crime.recorded',
      schemaVersion: 1,
      force: options.force,
      occurredAt,
      producedAt: `${occurredAt}T${String(8 + random.int(10)).padStart(2, '0')}:${String(random.int(60)).padStart(2, '0')}:00+00:00`,
      payload: {
        crimeRef: `${prefix}-${i.toString(36).padStart(6, '0')}`,
        offenceGroup: random.pick(groups),
        domesticAbuse: random.next() < 0.35,
        victim: { sex: random.weighted(sexes), ageBand: random.weighted(ages), ethnicity: random.weighted(ethnicities) },
      },
    };
  });
}

/** Shuffles in place (Fisher-Yates) and returns the array: arrival order is not event order. */
export function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
