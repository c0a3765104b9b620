// How crime events change case state, and so the count cells. Pure: states in, states and
// cell deltas out; the caller loads and saves them in one transaction.
import type { CrimeRecorded } from '@vawg/contracts';
import { crimeContributions, type CrimeState, type DeltaSet } from '@vawg/kpi';

export interface CrimeRow extends CrimeState {
  crimeRef: string;
  eventId: string;
  producedAt: string;
}

export const crimeKey = (force: string, crimeRef: string) => `${force}\u0000${crimeRef}`;

/** Which of two versions of a crime's record is in force: the later fact, whatever the arrival order. */
export function supersedes(candidate: CrimeRow, current: CrimeRow): boolean {
  if (candidate.recordedOn !== current.recordedOn) return candidate.recordedOn > current.recordedOn;
  const a = Date.parse(candidate.producedAt);
  const b = Date.parse(current.producedAt);
  if (a !== b) return a > b;
  return candidate.eventId > current.eventId;
}

export function crimeRowOf(event: CrimeRecorded): CrimeRow {
  const p = event.payload;
  return {
    force: event.force,
    crimeRef: p.crimeRef,
    eventId: event.eventId,
    producedAt: event.producedAt,
    recordedOn: event.occurredAt,
    offenceGroup: p.offenceGroup,
    domesticAbuse: p.domesticAbuse,
    victimSex: p.victim.sex,
    victimAgeBand: p.victim.ageBand,
    victimEthnicity: p.victim.ethnicity,
  };
}

/**
 * Applies crime.recorded events to the loaded states (mutating `states`), adding each change's
 * cell deltas to `deltas`. Returns the keys of the crimes that changed.
 */
export function applyCrimeRecorded(states: Map<string, CrimeRow>, events: readonly CrimeRecorded[], deltas: DeltaSet): Set<string> {
  const changed = new Set<string>();
  for (const event of events) {
    const candidate = crimeRowOf(event);
    const key = crimeKey(candidate.force, candidate.crimeRef);
    const current = states.get(key);
    if (current && !supersedes(candidate, current)) continue;
    deltas.transition(crimeContributions(current ?? null), crimeContributions(candidate));
    states.set(key, candidate);
    changed.add(key);
  }
  return changed;
}
