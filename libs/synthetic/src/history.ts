// Synthetic case histories of every event type, in plausible proportions and time order: crimes
// with outcomes (some re-opened), reclassifications, cancellations and suspects; protective orders
// with decisions and breaches; DVDS applications; complaints about police; returns; closures.
// Opaque references only, no personal data. A generator, so ten million events need not fit in memory.
import { allegationCategories, allegationOutcomes, datasets, offenceGroups, orderTypes, qualitativeKpis, type ForceEvent } from '@vawg/contracts';
import { syntheticCrimes } from './crimes.ts';
import type { Random } from './random.ts';

export interface HistoryOptions {
  force: string;
  /** First and last day any event may fall on, `YYYY-MM-DD`. */
  from: string;
  to: string;
  crimes: number;
  refPrefix?: string;
  /**
   * What each return of a half-year cites (already uploaded through POST /v1/documents); none
   * when absent. Draws nothing from `random`, so the rest of the history is the same either way.
   */
  returnDocuments?: (period: string) => readonly { name: string; sha256: string; bytes: number }[];
  /**
   * Last day a declaration about the history may be dated, `YYYY-MM-DD` (default `to`): a month's
   * `submission.closed` and a half-year's returns come in the weeks after it ends, so a history
   * ending with a half-year has its last month closed and its returns only if they may fall after
   * it. Changes nothing dated up to `to`.
   */
  declarationsUntil?: string;
}

const DAY = 86_400_000;
const outcomes: readonly (readonly [string, number])[] = [
  ['16', 30], ['14', 9], ['15', 6], ['18', 10], ['1', 8], ['1A', 1], ['3', 2], ['8', 4], ['10', 5], ['20', 5], ['21', 6], ['22', 2], ['9', 3], ['17', 2], ['5', 1],
];
const groups = offenceGroups.map((g) => g.id).filter((g) => g !== 'not-vawg');

export function* syntheticHistory(random: Random, options: HistoryOptions): Generator<ForceEvent> {
  const start = Date.parse(`${options.from}T00:00:00Z`);
  const end = Date.parse(`${options.to}T00:00:00Z`);
  const prefix = options.refPrefix ?? 'H';
  const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const anyDay = () => start + random.int(Math.round((end - start) / DAY) + 1) * DAY;
  const after = (ms: number, meanDays: number) => ms + Math.round(-Math.log(1 - random.next()) * meanDays) * DAY;
  const declarationsEnd = options.declarationsUntil ? Date.parse(`${options.declarationsUntil}T00:00:00Z`) : end;
  const event = (type: ForceEvent['type'], at: number, payload: object, last = end): ForceEvent | null => at > last ? null : ({
    eventId: random.uuid(), type, schemaVersion: 1, force: options.force, occurredAt: dayOf(at),
    producedAt: `${dayOf(at)}T${String(7 + random.int(12)).padStart(2, '0')}:${String(random.int(60)).padStart(2, '0')}:00Z`, payload,
  }) as ForceEvent;
  function* emit(...events: (ForceEvent | null)[]) {
    for (const e of events) if (e) yield e;
  }

  const crimes = syntheticCrimes(random, { force: options.force, count: options.crimes, from: options.from, to: options.to, refPrefix: `${prefix}C` });
  for (const crime of crimes) {
    yield crime;
    const recorded = Date.parse(`${crime.occurredAt}T00:00:00Z`);
    const crimeRef = crime.payload.crimeRef;
    if (random.next() < 0.08) {
      yield* emit(event('crime.reclassified', recorded + (1 + random.int(60)) * DAY, { crimeRef, offenceGroup: random.next() < 0.25 ? 'not-vawg' : random.pick(groups) }));
    }
    if (random.next() < 0.03) yield* emit(event('crime.cancelled', recorded + (1 + random.int(90)) * DAY, { crimeRef, reason: random.pick(['transferred', 'no-crime', 'duplicate', 'other']) }));
    if (random.next() < 0.65) {
      const first = after(recorded, 45);
      yield* emit(event('outcome.assigned', first, { crimeRef, outcomeCode: random.weighted(outcomes) }));
      if (random.next() < 0.08) yield* emit(event('outcome.assigned', after(first, 60), { crimeRef, outcomeCode: random.weighted(outcomes) }));
    }
    if (random.next() < 0.25) {
      const wanted = recorded + random.int(30) * DAY;
      yield* emit(event('suspect.outstanding', wanted, { crimeRef, suspectRef: `${crimeRef}-S1` }));
      if (random.next() < 0.7) yield* emit(event('suspect.resolved', after(wanted, 60), { crimeRef, suspectRef: `${crimeRef}-S1` }));
    }
  }

  for (let i = 0; i < Math.round(options.crimes * 0.15); i++) {
    const orderRef = `${prefix}O-${i}`;
    const applied = anyDay();
    const decided = applied + random.int(21) * DAY;
    const decision = random.weighted([['granted', 75], ['refused', 15], ['withdrawn', 10]] as const);
    yield* emit(
      event('order.applied', applied, { orderRef, orderType: random.pick(orderTypes.map((o) => o.id)) }),
      event('order.decided', decided, { orderRef, decision }),
    );
    if (decision === 'granted' && decided <= end) {
      for (let b = random.weighted([[0, 60], [1, 25], [2, 10], [3, 5]] as const); b > 0; b--) yield* emit(event('order.breached', decided + (1 + random.int(120)) * DAY, { orderRef }));
    }
  }

  for (let i = 0; i < Math.round(options.crimes * 0.1); i++) {
    const applicationRef = `${prefix}D-${i}`;
    const applied = anyDay();
    yield* emit(
      event('dvds.applied', applied, { applicationRef, route: random.next() < 0.6 ? 'right-to-ask' : 'right-to-know' }),
      event('dvds.decided', after(applied, 30), { applicationRef, disclosed: random.next() < 0.4 }),
    );
  }

  for (let i = 0; i < Math.max(1, Math.round(options.crimes * 0.01)); i++) {
    const allegationRef = `${prefix}A-${i}`;
    const received = anyDay();
    yield* emit(event('allegation.received', received, {
      allegationRef, kind: random.pick(['complaint', 'conduct-matter']), category: random.pick(allegationCategories.map((c) => c.id)),
      subjectRole: random.weighted([['officer', 80], ['staff', 17], ['volunteer', 3]] as const),
    }));
    if (random.next() < 0.7) yield* emit(event('allegation.finalised', after(received, 120), { allegationRef, outcome: random.pick(allegationOutcomes.map((o) => o.id)) }));
  }

  for (let month = new Date(start); month.getTime() <= end; month.setUTCMonth(month.getUTCMonth() + 1)) {
    const monthEnd = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0);
    const label = month.toISOString().slice(0, 7);
    for (const dataset of datasets) yield* emit(event('submission.closed', monthEnd + (1 + random.int(20)) * DAY, { dataset, month: label }, declarationsEnd));
    const m = month.getUTCMonth() + 1;
    if (m === 9 || m === 3) {
      const period = m === 9 ? `${month.getUTCFullYear()}-H1` : `${month.getUTCFullYear() - 1}-H2`;
      for (const kpi of qualitativeKpis) {
        if (random.next() < 0.8) {
          yield* emit(event('return.submitted', monthEnd + (1 + random.int(25)) * DAY, {
            kpi, period, summary: `Return for ${kpi} covering ${period}: actions taken, progress against the plan, and the next steps.`,
            measures: { 'actions-completed': random.int(40), 'staff-trained': random.int(500) }, documents: [...(options.returnDocuments?.(period) ?? [])],
          }, declarationsEnd));
        }
      }
    }
  }
}
