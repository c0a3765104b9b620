// Random event histories of several forces, for the property test: every kind of case, with
// corrections, reclassifications (in and out of scope), cancellations, replaced outcomes,
// suspects coming and going, orders and applications whose decisions come first, retractions
// before or after their targets, and repeats.
import fc from 'fast-check';
import type { ForceEvent } from '@vawg/contracts';
import { ageBands, allegationCategories, allegationOutcomes, ethnicities, offenceGroups, orderTypes, outcomeCodes, victimSexes } from '@vawg/contracts';

const day = fc.integer({ min: 0, max: 700 }).map((n) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
// Few distinct times, so ties on occurredAt and producedAt happen and eventId decides.
const time = fc.constantFrom('08:00:00Z', '08:00:00Z', '12:30:00.250Z', '17:45:00+01:00');
const ids = <T extends { id: string }>(l: readonly T[]) => l.map((x) => x.id);

type Draft = { type: ForceEvent['type']; occurredAt: string; producedTime: string; payload: Record<string, unknown> };
const draft = (type: ForceEvent['type'], payload: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Draft> =>
  fc.record({ occurredAt: day, producedTime: time, payload }).map((d) => ({ type, ...d }));

function crimeDrafts(ref: string): fc.Arbitrary<Draft[]> {
  const victim = fc.record({ sex: fc.constantFrom(...victimSexes), ageBand: fc.constantFrom(...ageBands), ethnicity: fc.constantFrom(...ethnicities) });
  const group = fc.constantFrom(...ids(offenceGroups));
  const suspect = (s: string) => fc.array(draft('suspect.outstanding', fc.constant({ crimeRef: ref, suspectRef: s })).chain((o) =>
    fc.constantFrom<Draft['type']>('suspect.outstanding', 'suspect.resolved').map((t) => ({ ...o, type: t }))), { maxLength: 4 });
  return fc.tuple(
    fc.array(draft('crime.recorded', fc.record({ crimeRef: fc.constant(ref), offenceGroup: group.filter((g) => g !== 'not-vawg'), domesticAbuse: fc.boolean(), victim })), { minLength: 0, maxLength: 2 }),
    fc.array(draft('crime.reclassified', fc.record({ crimeRef: fc.constant(ref), offenceGroup: group })), { maxLength: 2 }),
    fc.array(draft('crime.cancelled', fc.record({ crimeRef: fc.constant(ref), reason: fc.constantFrom('transferred', 'no-crime', 'duplicate', 'other') })), { maxLength: 1 }),
    fc.array(draft('outcome.assigned', fc.record({ crimeRef: fc.constant(ref), outcomeCode: fc.constantFrom(...outcomeCodes.map((o) => o.code)) })), { maxLength: 3 }),
    suspect(`${ref}-S1`), suspect(`${ref}-S2`),
  ).map((parts) => parts.flat());
}

function caseDrafts(ref: string): fc.Arbitrary<Draft[]> {
  return fc.oneof(
    crimeDrafts(ref),
    fc.tuple(
      fc.array(draft('order.applied', fc.record({ orderRef: fc.constant(ref), orderType: fc.constantFrom(...ids(orderTypes)) })), { maxLength: 1 }),
      fc.array(draft('order.decided', fc.record({ orderRef: fc.constant(ref), decision: fc.constantFrom('granted', 'refused', 'withdrawn') })), { maxLength: 2 }),
      fc.array(draft('order.breached', fc.constant({ orderRef: ref })), { maxLength: 3 }),
    ).map((p) => p.flat()),
    fc.tuple(
      fc.array(draft('dvds.applied', fc.record({ applicationRef: fc.constant(ref), route: fc.constantFrom('right-to-ask', 'right-to-know') })), { maxLength: 1 }),
      fc.array(draft('dvds.decided', fc.record({ applicationRef: fc.constant(ref), disclosed: fc.boolean() })), { maxLength: 2 }),
    ).map((p) => p.flat()),
    fc.tuple(
      fc.array(draft('allegation.received', fc.record({
        allegationRef: fc.constant(ref), kind: fc.constantFrom('complaint', 'conduct-matter'),
        category: fc.constantFrom(...ids(allegationCategories)), subjectRole: fc.constantFrom('officer', 'staff', 'volunteer'),
      })), { maxLength: 1 }),
      fc.array(draft('allegation.finalised', fc.record({ allegationRef: fc.constant(ref), outcome: fc.constantFrom(...ids(allegationOutcomes)) })), { maxLength: 2 }),
    ).map((p) => p.flat()),
  );
}

export interface History {
  /** Every event as it arrives: shuffled, with repeats, and with retractions. */
  arrivals: ForceEvent[];
  /** How many arrive in each batch. */
  batchSizes: number[];
}

export function arbitraryHistory(maxCases = 12): fc.Arbitrary<History> {
  const forceHistory = (force: string) => fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: maxCases })
    .chain((refs) => fc.tuple(...[...new Set(refs)].map((n) => caseDrafts(`R-${n}`))))
    .map((cases) => cases.flat().map((d) => ({ ...d, force })));
  return fc.tuple(fc.uniqueArray(fc.constantFrom('kent', 'essex', 'gwent', 'dorset'), { minLength: 1, maxLength: 3 }), fc.infiniteStream(fc.uuid({ version: 4 })))
    .chain(([forces, uuids]) => fc.tuple(...forces.map(forceHistory)).map((perForce) => {
      const events: ForceEvent[] = perForce.flat().map((d) => ({
        eventId: uuids.next().value as string, type: d.type, schemaVersion: 1, force: d.force,
        occurredAt: d.occurredAt, producedAt: `${d.occurredAt}T${d.producedTime}`, payload: d.payload,
      }) as ForceEvent);
      return { events, uuids };
    }))
    .chain(({ events, uuids }) => fc.tuple(
      fc.subarray(events),
      fc.subarray(events),
    ).map(([toRetract, toRepeat]) => {
      const retractions = toRetract.map((e): ForceEvent => ({
        eventId: uuids.next().value as string, type: 'event.retracted', schemaVersion: 1, force: e.force,
        occurredAt: '2025-12-31', producedAt: '2025-12-31T09:00:00Z', payload: { eventId: e.eventId, reason: 'sent in error' },
      }));
      return [...events, ...retractions, ...toRepeat];
    }))
    .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }))
    .chain((arrivals) => fc.array(fc.integer({ min: 1, max: 40 }), { minLength: arrivals.length, maxLength: arrivals.length }).map((batchSizes) => ({ arrivals, batchSizes })));
}
