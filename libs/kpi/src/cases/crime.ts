// A crime's facts from its events (events.md, "Crime"; kpis.md, "Conventions" and 5.1-5.4, 7, 8, P1, P2).
import { NOT_VAWG, outcomeCodes, type EventOf, type ForceEvent } from '@vawg/contracts';
import { compareFacts, daysBetween, latestOf } from '../facts.ts';
import { crimeCategories, type CrimeFacts, type SplitCategory } from '../splits.ts';
import { lastDayOf, monthOf } from '../periods.ts';
import type { Contribution, CountCell, Observation } from '../contribution.ts';

type Recorded = EventOf<'crime.recorded'>;
type Outcome = EventOf<'outcome.assigned'>;
type SuspectEvent = EventOf<'suspect.outstanding'> | EventOf<'suspect.resolved'>;

const outcomeByCode = new Map(outcomeCodes.map((o) => [o.code, o]));

export interface CrimeState extends CrimeFacts {
  recordedOn: string;
  domesticAbuse: boolean;
  inScope: boolean;
  /** The current outcome: the latest, so a re-opened and re-closed crime counts once. */
  outcome: { code: string; on: string } | null;
  /** Suspect events per suspectRef, in fact order. */
  suspects: Map<string, SuspectEvent[]>;
}

/** Folds a crime's events (retracted ones already removed). Null until its crime.recorded arrives. */
export function foldCrime(events: readonly ForceEvent[]): CrimeState | null {
  const recorded = latestOf(events.filter((e): e is Recorded => e.type === 'crime.recorded'));
  if (!recorded) return null;
  const classified = latestOf(events.filter((e): e is Recorded | EventOf<'crime.reclassified'> => e.type === 'crime.recorded' || e.type === 'crime.reclassified'));
  const offenceGroup = classified?.payload.offenceGroup ?? recorded.payload.offenceGroup;
  const cancelled = events.some((e) => e.type === 'crime.cancelled');
  const outcome = latestOf(events.filter((e): e is Outcome => e.type === 'outcome.assigned'));
  const suspects = new Map<string, SuspectEvent[]>();
  for (const e of events) {
    if (e.type !== 'suspect.outstanding' && e.type !== 'suspect.resolved') continue;
    const list = suspects.get(e.payload.suspectRef);
    if (list) list.push(e);
    else suspects.set(e.payload.suspectRef, [e]);
  }
  for (const list of suspects.values()) list.sort(compareFacts);
  return {
    recordedOn: recorded.occurredAt,
    domesticAbuse: recorded.payload.domesticAbuse,
    offenceGroup,
    victimSex: recorded.payload.victim.sex,
    victimAgeBand: recorded.payload.victim.ageBand,
    victimEthnicity: recorded.payload.victim.ethnicity,
    inScope: offenceGroup !== NOT_VAWG && !cancelled,
    outcome: outcome ? { code: outcome.payload.outcomeCode, on: outcome.occurredAt } : null,
    suspects,
  };
}

/**
 * Where one suspect is outstanding at month ends, as changes: +1 in the first month whose last
 * day finds it outstanding, -1 in the first that finds it no longer so. The stock at the end of
 * any month is the sum of changes up to it (5.4 is a stock, not a flow).
 */
export function outstandingChanges(events: readonly SuspectEvent[]): { month: string; value: number }[] {
  if (events.length === 0) return [];
  const changes: { month: string; value: number }[] = [];
  let month = monthOf(events[0]!.occurredAt);
  const lastMonth = monthOf(events[events.length - 1]!.occurredAt);
  let before = false;
  for (let i = 0; ; month = nextMonth(month)) {
    const end = lastDayOf(month);
    let status: boolean = before;
    while (i < events.length && events[i]!.occurredAt <= end) status = events[i++]!.type === 'suspect.outstanding';
    if (status !== before) changes.push({ month, value: status ? 1 : -1 });
    before = status;
    if (month === lastMonth) return changes;
  }
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function cellsOf(measure: string, month: string, categories: SplitCategory[], value = 1): CountCell[] {
  return categories.map(({ split, category }) => ({ measure, month, split, category, value }));
}

export function crimeContribution(events: readonly ForceEvent[]): Contribution {
  const crime = foldCrime(events);
  if (!crime?.inScope) return { counts: [], observations: [] };
  const categories = crimeCategories(crime);
  const recordedMonth = monthOf(crime.recordedOn);
  const counts: CountCell[] = [...cellsOf('crimes-recorded', recordedMonth, categories)];
  const observations: Observation[] = [];
  if (crime.domesticAbuse) counts.push(...cellsOf('crimes-domestic-abuse', recordedMonth, categories));
  if (crime.victimSex !== 'not-recorded') counts.push(...cellsOf('crimes-sex-recorded', recordedMonth, categories));
  if (crime.victimEthnicity !== 'not-recorded') counts.push(...cellsOf('crimes-ethnicity-recorded', recordedMonth, categories));

  const outcome = crime.outcome ? outcomeByCode.get(crime.outcome.code) : undefined;
  if (crime.outcome && outcome) {
    const month = monthOf(crime.outcome.on);
    if (outcome.group === 'charged-summonsed') counts.push(...cellsOf('crimes-charged', recordedMonth, categories));
    counts.push(...cellsOf('outcomes-assigned', month, [...categories, { split: 'outcome-group', category: outcome.group }]));
    if (outcome.cjOutcome) counts.push(...cellsOf('cj-outcomes-assigned', month, [...categories, { split: 'cj-outcome', category: outcome.cjOutcome }]));
    if (['14', '15', '16'].includes(outcome.code)) counts.push(...cellsOf(`outcomes-code-${outcome.code}`, month, categories));
    const days = daysBetween(crime.recordedOn, crime.outcome.on);
    observations.push(...categories.map(({ split, category }) => ({ measure: 'days-to-outcome', month, split, category, days })));
  }
  for (const suspectEvents of crime.suspects.values()) {
    for (const change of outstandingChanges(suspectEvents)) counts.push(...cellsOf('outstanding-suspects-change', change.month, categories, change.value));
  }
  return { counts, observations };
}
