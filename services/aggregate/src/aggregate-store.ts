// PostgreSQL reads and writes of aggregate, each one statement whatever the batch size
// (arrays through unnest), all run inside the caller's transaction.
import type { Pool, PoolClient } from '@vawg/db';
import type { CellDelta } from '@vawg/kpi';
import type { VictimSex, AgeBand, Ethnicity } from '@vawg/contracts';
import { crimeKey, type CrimeRow } from './crime-step.ts';

export async function readPosition(pool: Pool, groupId: string, topic: string, partition: number): Promise<number | undefined> {
  const { rows } = await pool.query<{ next_offset: number }>(
    'SELECT next_offset FROM aggregate.consumer_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3',
    [groupId, topic, partition]);
  return rows[0]?.next_offset;
}

/** Locks the partition's position row for this transaction and returns the next offset to apply. */
export async function claimPosition(client: PoolClient, groupId: string, topic: string, partition: number): Promise<number> {
  await client.query(
    `INSERT INTO aggregate.consumer_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
     ON CONFLICT DO NOTHING`, [groupId, topic, partition]);
  const { rows } = await client.query<{ next_offset: number }>(
    'SELECT next_offset FROM aggregate.consumer_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3 FOR UPDATE',
    [groupId, topic, partition]);
  return rows[0]?.next_offset ?? 0;
}

export async function savePosition(client: PoolClient, groupId: string, topic: string, partition: number, nextOffset: number): Promise<void> {
  await client.query(
    'UPDATE aggregate.consumer_offsets SET next_offset = $4, updated_at = now() WHERE group_id = $1 AND topic = $2 AND partition = $3',
    [groupId, topic, partition, nextOffset]);
}

/** Records events as applied; returns the keys (`force\0eventId`) of those not applied before. */
export async function markApplied(client: PoolClient, events: readonly { force: string; eventId: string }[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const { rows } = await client.query<{ force: string; event_id: string }>(
    `INSERT INTO aggregate.applied_events (force, event_id)
     SELECT * FROM unnest($1::text[], $2::uuid[]) ON CONFLICT DO NOTHING RETURNING force, event_id`,
    [events.map((e) => e.force), events.map((e) => e.eventId)]);
  return new Set(rows.map((r) => `${r.force}\u0000${r.event_id}`));
}

interface CrimeRecord {
  force: string; crime_ref: string; event_id: string; recorded_on: string; produced_at: string;
  offence_group: string; domestic_abuse: boolean; victim_sex: VictimSex; victim_age_band: AgeBand; victim_ethnicity: Ethnicity;
}

export async function loadCrimes(client: PoolClient, keys: readonly { force: string; crimeRef: string }[]): Promise<Map<string, CrimeRow>> {
  const states = new Map<string, CrimeRow>();
  if (keys.length === 0) return states;
  const { rows } = await client.query<CrimeRecord>(
    `SELECT force, crime_ref, event_id, to_char(recorded_on, 'YYYY-MM-DD') AS recorded_on,
            to_char(produced_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS produced_at,
            offence_group, domestic_abuse, victim_sex, victim_age_band, victim_ethnicity
       FROM aggregate.crimes WHERE (force, crime_ref) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [keys.map((k) => k.force), keys.map((k) => k.crimeRef)]);
  for (const r of rows) {
    states.set(crimeKey(r.force, r.crime_ref), {
      force: r.force, crimeRef: r.crime_ref, eventId: r.event_id, recordedOn: r.recorded_on, producedAt: r.produced_at,
      offenceGroup: r.offence_group, domesticAbuse: r.domestic_abuse,
      victimSex: r.victim_sex, victimAgeBand: r.victim_age_band, victimEthnicity: r.victim_ethnicity,
    });
  }
  return states;
}

export async function saveCrimes(client: PoolClient, crimes: readonly CrimeRow[]): Promise<void> {
  if (crimes.length === 0) return;
  const column = <K extends keyof CrimeRow>(k: K) => crimes.map((c) => c[k]);
  await client.query(
    `INSERT INTO aggregate.crimes (force, crime_ref, event_id, recorded_on, produced_at, offence_group, domestic_abuse, victim_sex, victim_age_band, victim_ethnicity)
     SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::date[], $5::timestamptz[], $6::text[], $7::boolean[], $8::text[], $9::text[], $10::text[])
     ON CONFLICT (force, crime_ref) DO UPDATE SET
       event_id = excluded.event_id, recorded_on = excluded.recorded_on, produced_at = excluded.produced_at,
       offence_group = excluded.offence_group, domestic_abuse = excluded.domestic_abuse, victim_sex = excluded.victim_sex,
       victim_age_band = excluded.victim_age_band, victim_ethnicity = excluded.victim_ethnicity`,
    [column('force'), column('crimeRef'), column('eventId'), column('recordedOn'), column('producedAt'), column('offenceGroup'),
      column('domesticAbuse'), column('victimSex'), column('victimAgeBand'), column('victimEthnicity')]);
}

export async function addCellDeltas(client: PoolClient, deltas: readonly CellDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const column = <K extends keyof CellDelta>(k: K) => deltas.map((d) => d[k]);
  await client.query(
    `INSERT INTO aggregate.cells (force, month, measure, split, category, value)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
     ON CONFLICT (force, month, measure, split, category) DO UPDATE SET value = aggregate.cells.value + excluded.value`,
    [column('force'), column('month'), column('measure'), column('split'), column('category'), column('delta')]);
}
