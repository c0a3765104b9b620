// An independent check of one measure, from what the senders had acknowledged rather than from
// what the system stored: crimes recorded per force and month (5.1), by the rules of kpis.md.
// Written from the spec, not from the system's code, so a fact stored wrongly, twice or not at all
// shows up here even where the live cells and the reference recompute agree.
import type { ForceEvent } from '@vawg/contracts';

type Classification = Extract<ForceEvent, { type: 'crime.recorded' | 'crime.reclassified' }>;

/** Latest by occurredAt, then producedAt, then eventId (events.md: "later ... by occurredAt, then by producedAt"). */
function later(a: ForceEvent, b: ForceEvent): boolean {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt > b.occurredAt;
  const pa = Date.parse(a.producedAt);
  const pb = Date.parse(b.producedAt);
  if (pa !== pb) return pa > pb;
  return a.eventId > b.eventId;
}

/** `force|YYYY-MM` → crimes recorded, from the events acknowledged (repeats and retractions included). */
export function expectedCrimesRecorded(acknowledged: Iterable<ForceEvent>): Map<string, number> {
  const first = new Map<string, ForceEvent>();
  for (const e of acknowledged) if (!first.has(`${e.force}|${e.eventId}`)) first.set(`${e.force}|${e.eventId}`, e);
  const retracted = new Set<string>();
  for (const e of first.values()) if (e.type === 'event.retracted') retracted.add(`${e.force}|${e.payload.eventId}`);
  const crimes = new Map<string, { recorded?: Extract<ForceEvent, { type: 'crime.recorded' }>; latest?: Classification; cancelled: boolean }>();
  for (const e of first.values()) {
    if (retracted.has(`${e.force}|${e.eventId}`)) continue;
    if (e.type !== 'crime.recorded' && e.type !== 'crime.reclassified' && e.type !== 'crime.cancelled') continue;
    const key = `${e.force}|${e.payload.crimeRef}`;
    const crime = crimes.get(key) ?? { cancelled: false };
    if (e.type === 'crime.cancelled') crime.cancelled = true;
    else {
      if (!crime.latest || later(e, crime.latest)) crime.latest = e;
      if (e.type === 'crime.recorded' && (!crime.recorded || later(e, crime.recorded))) crime.recorded = e;
    }
    crimes.set(key, crime);
  }
  const expected = new Map<string, number>();
  for (const crime of crimes.values()) {
    if (!crime.recorded || crime.cancelled || crime.latest?.payload.offenceGroup === 'not-vawg') continue;
    const key = `${crime.recorded.force}|${crime.recorded.occurredAt.slice(0, 7)}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  return expected;
}
