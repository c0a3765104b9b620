import { describe, expect, it } from 'vitest';
import type { ForceEvent } from '@vawg/contracts';
import { caseContribution, outstandingChanges, womenAndGirlsOf, type Contribution } from '../src/index.ts';

let n = 0;
const ev = (type: ForceEvent['type'], occurredAt: string, payload: object, producedAt = `${occurredAt}T10:00:00Z`): ForceEvent =>
  ({ eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, type, schemaVersion: 1, force: 'kent', occurredAt, producedAt, payload }) as ForceEvent;
const recorded = (on: string, extra: object = {}) => ev('crime.recorded', on, {
  crimeRef: 'C-1', offenceGroup: 'stalking', domesticAbuse: false, victim: { sex: 'female', ageBand: '16-17', ethnicity: 'not-stated' }, ...extra,
});
const all = (c: Contribution, measure: string) => c.counts.filter((x) => x.measure === measure && x.split === 'all').map((x) => `${x.month}:${x.value}`);

describe('what a crime contributes', () => {
  it('counts a crime in every split, in its recorded month', () => {
    const c = caseContribution('crime', [recorded('2025-05-14')]);
    expect(c.counts.filter((x) => x.measure === 'crimes-recorded').map((x) => `${x.split}=${x.category}`)).toEqual([
      'all=all', 'sex=female', 'ethnicity=not-stated', 'age=16-17', 'offence=stalking', 'women-and-girls=girls',
    ]);
    expect(all(c, 'crimes-sex-recorded')).toEqual(['2025-05:1']);
    expect(all(c, 'crimes-ethnicity-recorded')).toEqual(['2025-05:1']);
  });

  it('counts a crime re-opened and closed again once, with its latest outcome', () => {
    const c = caseContribution('crime', [
      recorded('2025-04-02'),
      ev('outcome.assigned', '2025-06-20', { crimeRef: 'C-1', outcomeCode: '1' }),
      ev('outcome.assigned', '2025-05-01', { crimeRef: 'C-1', outcomeCode: '16' }),
    ]);
    expect(all(c, 'outcomes-assigned')).toEqual(['2025-06:1']);
    expect(c.counts.filter((x) => x.measure === 'outcomes-assigned' && x.split === 'outcome-group').map((x) => x.category)).toEqual(['charged-summonsed']);
    expect(all(c, 'crimes-charged')).toEqual(['2025-04:1']);
    expect(all(c, 'outcomes-code-16')).toEqual([]);
    expect(c.observations.filter((o) => o.split === 'all')).toEqual([{ measure: 'days-to-outcome', month: '2025-06', split: 'all', category: 'all', days: 79 }]);
  });

  it('takes the latest outcome by producedAt when two fall on one day', () => {
    const c = caseContribution('crime', [
      recorded('2025-04-02'),
      ev('outcome.assigned', '2025-06-20', { crimeRef: 'C-1', outcomeCode: '14' }, '2025-06-20T16:00:00Z'),
      ev('outcome.assigned', '2025-06-20', { crimeRef: 'C-1', outcomeCode: '15' }, '2025-06-20T09:00:00Z'),
    ]);
    expect(all(c, 'outcomes-code-14')).toEqual(['2025-06:1']);
    expect(all(c, 'outcomes-code-15')).toEqual([]);
  });

  it('leaves every count when cancelled or reclassified out of VAWG, and follows its latest group', () => {
    expect(caseContribution('crime', [recorded('2025-04-02'), ev('crime.cancelled', '2025-05-01', { crimeRef: 'C-1', reason: 'no-crime' })]).counts).toEqual([]);
    expect(caseContribution('crime', [recorded('2025-04-02'), ev('crime.reclassified', '2025-04-09', { crimeRef: 'C-1', offenceGroup: 'not-vawg' })]).counts).toEqual([]);
    const moved = caseContribution('crime', [recorded('2025-04-02'), ev('crime.reclassified', '2025-04-09', { crimeRef: 'C-1', offenceGroup: 'harassment' })]);
    expect(moved.counts.filter((x) => x.split === 'offence').map((x) => x.category)).toEqual(['harassment', 'harassment', 'harassment']);
  });

  it('waits for its crime.recorded: an outcome alone counts nothing', () => {
    expect(caseContribution('crime', [ev('outcome.assigned', '2025-06-20', { crimeRef: 'C-1', outcomeCode: '1' })])).toEqual({ counts: [], observations: [] });
  });
});

describe('outstanding suspects at month ends', () => {
  const s = (type: 'suspect.outstanding' | 'suspect.resolved', on: string) => ev(type, on, { crimeRef: 'C-1', suspectRef: 'S-1' }) as Extract<ForceEvent, { type: 'suspect.outstanding' }>;

  it('adds one in the first month that ends with the suspect outstanding, and takes it away when resolved', () => {
    expect(outstandingChanges([s('suspect.outstanding', '2025-04-10'), s('suspect.resolved', '2025-07-03')])).toEqual([
      { month: '2025-04', value: 1 }, { month: '2025-07', value: -1 },
    ]);
  });

  it('counts nothing for a suspect outstanding and resolved within one month, and reads the last day inclusive', () => {
    expect(outstandingChanges([s('suspect.outstanding', '2025-04-10'), s('suspect.resolved', '2025-04-30')])).toEqual([]);
    expect(outstandingChanges([s('suspect.outstanding', '2025-04-30')])).toEqual([{ month: '2025-04', value: 1 }]);
  });
});

describe('women and girls', () => {
  it('classifies by sex and age band', () => {
    expect(womenAndGirlsOf('female', '18-24')).toBe('women');
    expect(womenAndGirlsOf('female', '0-15')).toBe('girls');
    expect(womenAndGirlsOf('female', 'not-recorded')).toBe('female-age-not-recorded');
    expect(womenAndGirlsOf('not-recorded', '0-15')).toBe('not-female');
  });
});

describe('orders, applications, allegations', () => {
  const order = (type: ForceEvent['type'], on: string, payload: object) => ev(type, on, { orderRef: 'O-1', ...payload });
  it('counts a grant and each breach in their months, by the type of the order, once the application is known', () => {
    const decided = order('order.decided', '2025-05-03', { decision: 'granted' });
    const breaches = [order('order.breached', '2025-06-01', {}), order('order.breached', '2025-06-09', {})];
    expect(caseContribution('order', [decided, ...breaches]).counts).toEqual([]);
    const c = caseContribution('order', [decided, ...breaches, order('order.applied', '2025-05-01', { orderType: 'dapo' })]);
    expect(c.counts.filter((x) => x.split === 'order-type').map((x) => `${x.measure}:${x.month}:${x.category}`)).toEqual([
      'orders-applied:2025-05:dapo', 'orders-granted:2025-05:dapo', 'orders-breached:2025-06:dapo', 'orders-breached:2025-06:dapo',
    ]);
  });

  it('counts breaches only while the order has a standing grant, whatever was decided after', () => {
    const applied = order('order.applied', '2025-05-01', { orderType: 'dvpo' });
    const breach = order('order.breached', '2025-06-01', {});
    const measures = (events: ForceEvent[]) => caseContribution('order', events).counts.filter((x) => x.split === 'all').map((x) => x.measure);
    // No grant standing (never sent, or retracted and so left out of the facts): the breach counts nowhere.
    expect(measures([applied, breach])).toEqual(['orders-applied']);
    expect(measures([applied, order('order.decided', '2025-05-02', { decision: 'refused' }), breach])).toEqual(['orders-applied']);
    // Granted, then withdrawn later: the order was granted when breached, and the breach counts.
    const granted = order('order.decided', '2025-05-02', { decision: 'granted' });
    expect(measures([applied, granted, order('order.decided', '2025-07-01', { decision: 'withdrawn' }), breach])).toEqual(['orders-applied', 'orders-breached']);
  });

  it('measures days from a DVDS application to its latest decision, by route', () => {
    const c = caseContribution('dvds', [
      ev('dvds.applied', '2025-04-01', { applicationRef: 'D-1', route: 'right-to-know' }),
      ev('dvds.decided', '2025-04-29', { applicationRef: 'D-1', disclosed: true }),
    ]);
    expect(c.observations.map((o) => `${o.split}=${o.category}:${o.days}`)).toEqual(['all=all:28', 'dvds-route=right-to-know:28']);
    expect(all(c, 'dvds-disclosures')).toEqual(['2025-04:1']);
  });

  it('counts an allegation finalised by outcome and group even before its receipt, but its days only after', () => {
    const finalised = ev('allegation.finalised', '2025-09-01', { allegationRef: 'A-1', outcome: 'written-warning' });
    const alone = caseContribution('allegation', [finalised]);
    expect(alone.counts.map((x) => `${x.split}=${x.category}`)).toEqual(['all=all', 'allegation-outcome=written-warning', 'allegation-outcome-group=disciplinary']);
    expect(alone.observations).toEqual([]);
    const both = caseContribution('allegation', [finalised, ev('allegation.received', '2025-06-03', { allegationRef: 'A-1', kind: 'complaint', category: 'use-of-force', subjectRole: 'officer' })]);
    expect(both.observations.map((o) => o.days)).toEqual([90, 90, 90]);
  });
});
