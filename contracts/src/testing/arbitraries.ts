// fast-check arbitraries of valid events of every type events.md defines, for property tests.
// Imported as `@vawg/contracts/arbitraries` by tests only: fast-check is a dev dependency.
import fc from 'fast-check';
import {
  ageBands, allegationCategories, allegationOutcomes, datasets, ethnicities, forceIds, offenceGroups, orderTypes,
  outcomeCodes, qualitativeKpis, victimSexes, type EventType, type ForceEvent,
} from '../index.ts';

/** Receipt time the generated dates fit: every event below is valid when received then. */
export const GENERATED_RECEIVED_AT = new Date('2026-06-30T12:00:00Z');

const day = fc.date({ min: new Date('2015-04-01T00:00:00Z'), max: new Date('2026-06-29T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
/** Pseudonyms carry digits and none of the forms of personal data. */
export const arbitraryRef = fc.tuple(fc.constantFrom('CR', 'K', 'X9', 'ref'), fc.integer({ min: 0, max: 1e9 }), fc.constantFrom('', '/a', '.b', '-2025'))
  .map(([prefix, n, suffix]) => `${prefix}-${n}${suffix}`);
const plainText = (max: number) => fc.array(fc.constantFrom('Training', 'delivered', 'to', '120', 'officers', 'in', 'the', 'period;', 'reviews', 'completed.', 'Survey', 'response', 'rate', '43%'), { maxLength: Math.floor(max / 12) })
  .map((words) => words.join(' '));
const ids = <T extends { id: string }>(list: readonly T[]) => list.map((x) => x.id);

const payloads: { [T in EventType]: fc.Arbitrary<Extract<ForceEvent, { type: T }>['payload']> } = {
  'crime.recorded': fc.record({
    crimeRef: arbitraryRef,
    offenceGroup: fc.constantFrom(...ids(offenceGroups).filter((g) => g !== 'not-vawg')),
    hoOffenceCode: fc.option(fc.constantFrom('19C', '8Q', '105A'), { nil: undefined }),
    domesticAbuse: fc.boolean(),
    victim: fc.record({ sex: fc.constantFrom(...victimSexes), ageBand: fc.constantFrom(...ageBands), ethnicity: fc.constantFrom(...ethnicities) }),
  }, { requiredKeys: ['crimeRef', 'offenceGroup', 'domesticAbuse', 'victim'] }),
  'crime.reclassified': fc.record({ crimeRef: arbitraryRef, offenceGroup: fc.constantFrom(...ids(offenceGroups)) }),
  'crime.cancelled': fc.record({ crimeRef: arbitraryRef, reason: fc.constantFrom('transferred', 'no-crime', 'duplicate', 'other') }),
  'outcome.assigned': fc.record({ crimeRef: arbitraryRef, outcomeCode: fc.constantFrom(...outcomeCodes.map((o) => o.code)) }),
  'suspect.outstanding': fc.record({ crimeRef: arbitraryRef, suspectRef: arbitraryRef }),
  'suspect.resolved': fc.record({ crimeRef: arbitraryRef, suspectRef: arbitraryRef }),
  'order.applied': fc.record({ orderRef: arbitraryRef, orderType: fc.constantFrom(...ids(orderTypes)), crimeRef: arbitraryRef }, { requiredKeys: ['orderRef', 'orderType'] }),
  'order.decided': fc.record({ orderRef: arbitraryRef, decision: fc.constantFrom('granted', 'refused', 'withdrawn') }),
  'order.breached': fc.record({ orderRef: arbitraryRef }),
  'dvds.applied': fc.record({ applicationRef: arbitraryRef, route: fc.constantFrom('right-to-ask', 'right-to-know') }),
  'dvds.decided': fc.record({ applicationRef: arbitraryRef, disclosed: fc.boolean() }),
  'allegation.received': fc.record({
    allegationRef: arbitraryRef, kind: fc.constantFrom('complaint', 'conduct-matter'),
    category: fc.constantFrom(...ids(allegationCategories)), subjectRole: fc.constantFrom('officer', 'staff', 'volunteer'),
  }),
  'allegation.finalised': fc.record({ allegationRef: arbitraryRef, outcome: fc.constantFrom(...ids(allegationOutcomes)) }),
  'return.submitted': fc.record({
    kpi: fc.constantFrom(...qualitativeKpis),
    period: fc.tuple(fc.integer({ min: 2015, max: 2025 }), fc.constantFrom('H1', 'H2')).map(([y, h]) => `${y}-${h}`),
    summary: plainText(4000),
    measures: fc.dictionary(fc.constantFrom('officers-trained', 'reviews', 'response-rate'), fc.double({ noNaN: true, noDefaultInfinity: true })),
    documents: fc.array(fc.record({
      name: fc.constantFrom('annual-review.pdf', 'survey results (2025).csv', 'plan_v2.docx'),
      sha256: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
      bytes: fc.integer({ min: 1, max: 25 * 1024 * 1024 }),
    }), { maxLength: 3 }),
  }, { requiredKeys: ['kpi', 'period', 'summary', 'documents'] }),
  'event.retracted': fc.record({ eventId: fc.uuid({ version: 4 }), reason: plainText(500) }),
  'submission.closed': fc.record({
    dataset: fc.constantFrom(...datasets),
    month: fc.tuple(fc.integer({ min: 2015, max: 2026 }), fc.integer({ min: 1, max: 12 }))
      .filter(([y, m]) => (y > 2015 || m >= 4) && (y < 2026 || m <= 5))
      .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
  }),
};

/** A closure is declared once its month is over: on the first of the next month at the earliest. */
function declaredAfter(month: string, occurredAt: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`;
  return occurredAt < next ? next : occurredAt;
}

/** A valid event of the given type (any type when omitted), for a force. */
export function arbitraryEvent(type?: EventType, force?: string): fc.Arbitrary<ForceEvent> {
  const typeArb = type ? fc.constant(type) : fc.constantFrom(...(Object.keys(payloads) as EventType[]));
  return typeArb.chain((t) => fc.record({
    eventId: fc.uuid({ version: 4 }),
    force: force ? fc.constant(force) : fc.constantFrom(...forceIds),
    occurredAt: day,
    payload: payloads[t] as fc.Arbitrary<ForceEvent['payload']>,
  }).map(({ eventId, force: f, occurredAt: drawn, payload }) => {
    const occurredAt = t === 'submission.closed' ? declaredAfter((payload as { month: string }).month, drawn) : drawn;
    return { eventId, type: t, schemaVersion: 1, force: f, occurredAt, producedAt: `${occurredAt}T09:30:00+01:00`, payload } as ForceEvent;
  }));
}
