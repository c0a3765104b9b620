// The demo's shaping of its synthetic year, as pure functions: the states it sets up for the
// console are there, and cutting the history at the year's start leaves nothing waiting for ever.
import { describe, expect, it } from 'vitest';
import { datasetOfType, type ForceEvent } from '@vawg/contracts';
import { seeded, syntheticHistory } from '@vawg/synthetic';
import { demoForces, demoMonths, fromYearStart, shapeForDemo } from '../src/demo-states.ts';

const months = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];
const states = demoMonths(months);
const year = (force: string) => fromYearStart([...syntheticHistory(seeded(3), { force, from: '2024-06-01', to: '2025-09-30', crimes: 800, declarationsUntil: '2025-10-25' })], '2024-10-01');
const monthOf = (e: ForceEvent) => e.occurredAt.slice(0, 7);

describe('the demo year', () => {
  it('starts at the year: nothing earlier, no closure of an earlier month, no order event without its application', () => {
    const events = year('kent');
    expect(events.every((e) => e.occurredAt >= '2024-10-01')).toBe(true);
    expect(events.some((e) => e.type === 'submission.closed' && e.payload.month < '2024-10')).toBe(false);
    const applied = new Set(events.flatMap((e) => (e.type === 'order.applied' ? [e.payload.orderRef] : [])));
    expect(events.filter((e) => e.type === 'order.breached' || e.type === 'order.decided').every((e) => applied.has((e.payload).orderRef))).toBe(true);
    // Outcomes of crimes recorded before the year stay: an outcome may come for any crime.
    const recorded = new Set(events.flatMap((e) => (e.type === 'crime.recorded' ? [e.payload.crimeRef] : [])));
    expect(events.some((e) => e.type === 'outcome.assigned' && !recorded.has(e.payload.crimeRef))).toBe(true);
    // Every month of the year closed, the last one after it.
    expect(events.filter((e) => e.type === 'submission.closed' && e.payload.dataset === 'crime').map((e) => (e.payload as { month: string }).month).sort())
      .toEqual(['2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03', ...months]);
  });

  it('makes one force late, one silent and one anomalous, and leaves the others as they are', () => {
    const closes = (events: ForceEvent[], month: string) => events.some((e) => e.type === 'submission.closed' && e.payload.dataset === 'crime' && e.payload.month === month);
    const late = shapeForDemo(demoForces.late, year(demoForces.late), states);
    expect(closes(late, states.late)).toBe(false);
    expect(late.some((e) => datasetOfType(e.type) === 'crime' && monthOf(e) === states.late)).toBe(true);
    const silent = shapeForDemo(demoForces.silent, year(demoForces.silent), states);
    expect(closes(silent, states.silent)).toBe(false);
    expect(silent.some((e) => datasetOfType(e.type) === 'crime' && monthOf(e) === states.silent)).toBe(false);
    const base = year(demoForces.anomalous);
    const anomalous = shapeForDemo(demoForces.anomalous, base, states);
    const crimesIn = (events: ForceEvent[]) => events.filter((e) => e.type === 'crime.recorded' && monthOf(e) === states.anomalous).length;
    expect(crimesIn(anomalous)).toBe(3 * crimesIn(base));
    expect(new Set(anomalous.map((e) => e.eventId)).size).toBe(anomalous.length);
    const other = year('kent');
    expect(shapeForDemo('kent', other, states)).toEqual(other);
  });
});
