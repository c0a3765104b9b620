// Ordering facts about one case. Events arrive in any order; what is "latest" is decided by the
// facts themselves: `occurredAt`, then `producedAt` (as an instant), then `eventId`, so every
// arrival order gives the same answer.

export interface Fact {
  eventId: string;
  occurredAt: string;
  producedAt: string;
}

export function compareFacts(a: Fact, b: Fact): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  const pa = Date.parse(a.producedAt);
  const pb = Date.parse(b.producedAt);
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

export function latestOf<T extends Fact>(facts: readonly T[]): T | undefined {
  let latest: T | undefined;
  for (const f of facts) if (!latest || compareFacts(f, latest) > 0) latest = f;
  return latest;
}

/** Whole calendar days from one `YYYY-MM-DD` to another (same day = 0; negative if `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
