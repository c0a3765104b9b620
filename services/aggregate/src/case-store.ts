// aggregate's reads and writes in PostgreSQL, one statement each whatever the batch size
// (arrays through unnest), all inside the caller's transaction.
import type { PoolClient } from '@vawg/db';
import type { ForceEvent } from '@vawg/contracts';
import type { CaseKind, ForceCountDelta, ForceHistogramDelta } from '@vawg/kpi';

export interface StoredFact { force: string; kind: CaseKind; ref: string; event: ForceEvent; receivedAt: string }

/** Stores facts; returns the ids (`force\0eventId`) of those not stored before: the others are repeats. */
export async function insertFacts(client: PoolClient, facts: readonly StoredFact[]): Promise<Set<string>> {
  if (facts.length === 0) return new Set();
  // One JSON parameter rather than five arrays: JSON.stringify is native, pg's array quoting is not.
  const { rows } = await client.query<{ force: string; event_id: string }>(
    `INSERT INTO aggregate.case_events (force, event_id, case_kind, case_ref, event, received_at)
     SELECT f, i, k, r, e, a FROM json_to_recordset($1::json) AS t(f text, i uuid, k text, r text, e text, a timestamptz)
     ON CONFLICT DO NOTHING RETURNING force, event_id`,
    [JSON.stringify(facts.map((f) => ({ f: f.force, i: f.event.eventId, k: f.kind, r: f.ref, e: JSON.stringify(f.event), a: f.receivedAt })))]);
  return new Set(rows.map((r) => `${r.force}\u0000${r.event_id}`));
}

export interface Retraction { force: string; eventId: string; target: string; receivedAt: string }

export async function insertRetractions(client: PoolClient, retractions: readonly Retraction[]): Promise<Set<string>> {
  if (retractions.length === 0) return new Set();
  const { rows } = await client.query<{ force: string; event_id: string }>(
    `INSERT INTO aggregate.retractions (force, event_id, target_event_id, received_at)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::timestamptz[]) ON CONFLICT DO NOTHING RETURNING force, event_id`,
    [retractions.map((r) => r.force), retractions.map((r) => r.eventId), retractions.map((r) => r.target), retractions.map((r) => r.receivedAt)]);
  return new Set(rows.map((r) => `${r.force}\u0000${r.event_id}`));
}

/** The cases the given events belong to (for retractions: the case of their target). */
export async function casesOfEvents(client: PoolClient, events: readonly { force: string; eventId: string }[]): Promise<{ force: string; kind: CaseKind; ref: string }[]> {
  if (events.length === 0) return [];
  const { rows } = await client.query<{ force: string; case_kind: CaseKind; case_ref: string }>(
    `SELECT DISTINCT c.force, c.case_kind, c.case_ref FROM aggregate.case_events c
       JOIN unnest($1::text[], $2::uuid[]) AS k(force, event_id) USING (force, event_id)`,
    [events.map((e) => e.force), events.map((e) => e.eventId)]);
  return rows.map((r) => ({ force: r.force, kind: r.case_kind, ref: r.case_ref }));
}

export interface LoadedFact { force: string; kind: CaseKind; ref: string; event: ForceEvent; receivedAt: Date | null; retractedBy: string[] }

/** Every fact of the given cases, each with the retractions that target it. */
export async function loadCases(client: PoolClient, cases: readonly { force: string; kind: CaseKind; ref: string }[]): Promise<LoadedFact[]> {
  if (cases.length === 0) return [];
  const { rows } = await client.query<{ force: string; case_kind: CaseKind; case_ref: string; event: string; received_at: Date | null; retracted_by: string[] }>(
    `SELECT c.force, c.case_kind, c.case_ref, c.event, c.received_at,
            coalesce(array_agg(r.event_id::text) FILTER (WHERE r.event_id IS NOT NULL), '{}') AS retracted_by
       FROM aggregate.case_events c
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(force, case_kind, case_ref) USING (force, case_kind, case_ref)
       LEFT JOIN aggregate.retractions r ON r.force = c.force AND r.target_event_id = c.event_id
      GROUP BY c.force, c.case_kind, c.case_ref, c.event_id, c.event, c.received_at`,
    [cases.map((c) => c.force), cases.map((c) => c.kind), cases.map((c) => c.ref)]);
  return rows.map((r) => ({ force: r.force, kind: r.case_kind, ref: r.case_ref, event: JSON.parse(r.event) as ForceEvent, receivedAt: r.received_at, retractedBy: r.retracted_by }));
}

export async function addCountDeltas(client: PoolClient, deltas: readonly ForceCountDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await client.query(
    `INSERT INTO aggregate.cells (force, month, measure, split, category, value)
     SELECT force, month, measure, split, category, value
       FROM json_to_recordset($1::json) AS t(force text, month text, measure text, split text, category text, value bigint)
     ON CONFLICT (force, month, measure, split, category) DO UPDATE SET value = aggregate.cells.value + excluded.value`,
    [JSON.stringify(deltas)]);
}

export async function addHistogramDeltas(client: PoolClient, deltas: readonly ForceHistogramDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await client.query(
    `INSERT INTO aggregate.histograms (force, month, measure, split, category, days, count)
     SELECT force, month, measure, split, category, days, value
       FROM json_to_recordset($1::json) AS t(force text, month text, measure text, split text, category text, days int, value bigint)
     ON CONFLICT (force, month, measure, split, category, days) DO UPDATE SET count = aggregate.histograms.count + excluded.count`,
    [JSON.stringify(deltas)]);
}
