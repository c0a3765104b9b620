// Completeness per force × dataset × month: the counts each stage adds as events flow (a tally
// written in the stage's own transaction), and the read that judges each cell's state for a
// period — for the API, the console, the metrics and a publication's manifest.
import { z } from 'zod';
import { monthsOfHalfYear } from '@vawg/kpi';
import { cellOfValue, datasets, forceIds, type Dataset } from '@vawg/contracts';
import type { Pool, PoolClient } from '@vawg/db';
import {
  addMonths, ANOMALY_RULE, completenessStates, expectation, HISTORY_MONTHS, isAnomalous, isDue, isLate, LATE_AFTER_DAYS, stateOf,
} from './completeness-rules.ts';

export type CountField = 'received' | 'duplicates' | 'refused' | 'counted';

interface Delta { force: string; dataset: Dataset; month: string; received: number; duplicates: number; refused: number; counted: number; first: string | null; last: string | null }

/** Sums one transaction's changes per cell; events that belong to no cell are left out. */
export class CompletenessTally {
  private readonly deltas = new Map<string, Delta>();

  /** `value` is the event (or what was sent for one): its type and occurredAt name the cell. */
  add(force: string, value: unknown, field: CountField, n = 1, arrivedAt?: string): void {
    const cell = cellOfValue(value);
    if (!cell || !forceIds.includes(force)) return;
    const key = `${force}|${cell.dataset}|${cell.month}`;
    const d = this.deltas.get(key) ?? { force, ...cell, received: 0, duplicates: 0, refused: 0, counted: 0, first: null, last: null };
    d[field] += n;
    if (arrivedAt) {
      if (!d.first || arrivedAt < d.first) d.first = arrivedAt;
      if (!d.last || arrivedAt > d.last) d.last = arrivedAt;
    }
    this.deltas.set(key, d);
  }

  /** In key order, so two transactions lock the rows they share in the same order. */
  entries(): Delta[] {
    return [...this.deltas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
  }
}

/** The statement that adds a tally, and its one parameter; usable as a CTE of a larger statement. */
export function completenessUpsert(tally: CompletenessTally, param = '$1'): { sql: string; value: string } | null {
  const deltas = tally.entries();
  if (deltas.length === 0) return null;
  return {
    sql: `INSERT INTO pipeline.completeness AS c (force, dataset, month, received, duplicates, refused, counted, first_arrival, last_arrival)
          SELECT force, dataset, month, received, duplicates, refused, counted, first, last
            FROM json_to_recordset(${param}::json) AS t(force text, dataset text, month text, received bigint, duplicates bigint, refused bigint, counted bigint, first timestamptz, last timestamptz)
          ON CONFLICT (force, dataset, month) DO UPDATE SET
            received = c.received + excluded.received, duplicates = c.duplicates + excluded.duplicates,
            refused = c.refused + excluded.refused, counted = c.counted + excluded.counted,
            first_arrival = least(c.first_arrival, excluded.first_arrival), last_arrival = greatest(c.last_arrival, excluded.last_arrival)`,
    value: JSON.stringify(deltas),
  };
}

export async function recordCompleteness(client: Pool | PoolClient, tally: CompletenessTally): Promise<void> {
  const upsert = completenessUpsert(tally);
  if (upsert) await client.query(upsert.sql, [upsert.value]);
}

export interface Closure { force: string; dataset: Dataset; month: string; closedAt: string | null; closedOn: string | null }

/** Sets cells' closures as they now stand (null: no standing `submission.closed`, it was retracted). */
export async function recordClosures(client: Pool | PoolClient, closures: readonly Closure[]): Promise<void> {
  if (closures.length === 0) return;
  const sorted = [...closures].sort((a, b) => (`${a.force}|${a.dataset}|${a.month}` < `${b.force}|${b.dataset}|${b.month}` ? -1 : 1));
  await client.query(
    `INSERT INTO pipeline.completeness AS c (force, dataset, month, closed_at, closed_on)
     SELECT force, dataset, month, closed_at, closed_on
       FROM json_to_recordset($1::json) AS t(force text, dataset text, month text, closed_at timestamptz, closed_on date)
     ON CONFLICT (force, dataset, month) DO UPDATE SET closed_at = excluded.closed_at, closed_on = excluded.closed_on`,
    [JSON.stringify(sorted.map((c) => ({ force: c.force, dataset: c.dataset, month: c.month, closed_at: c.closedAt, closed_on: c.closedOn })))]);
}

const count = () => z.number().int().min(0);
const instant = () => z.iso.datetime();

/** One force × dataset × month: the schema of the API's answer, and the type the code uses. */
export const completenessCellSchema = z.object({
  force: z.string(),
  dataset: z.enum(datasets),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  state: z.enum(completenessStates),
  closed: z.boolean(),
  late: z.boolean(),
  anomalous: z.boolean(),
  due: z.boolean().describe('The month has ended'),
  received: count().describe('Every line for the cell, accepted or refused at ingest'),
  duplicates: count(),
  refused: count().describe('Refused at ingest, or later by validate'),
  counted: count(),
  deadLettered: count().describe('Dead letters not yet redriven or discarded'),
  volume: count().describe('Distinct events accepted: received − duplicates − refused (or counted, if more); what the anomaly rule judges'),
  expected: z.object({
    median: z.number(),
    low: z.number().describe('The lowest volume that is not anomalous'),
    high: z.number().describe('The highest volume that is not anomalous'),
    months: count().describe('Months of history it was learned from'),
  }).nullable().describe('Null with fewer than 6 months of history, and for returns'),
  firstArrival: instant().nullable(),
  lastArrival: instant().nullable(),
  closedAt: instant().nullable().describe('When the first standing submission.closed for it was received'),
});
export type CompletenessCell = z.infer<typeof completenessCellSchema>;

export const completenessGridSchema = z.object({
  period: z.string(),
  asAt: instant(),
  months: z.array(z.string()),
  datasets: z.array(z.enum(datasets)),
  rule: z.object({ lateAfterDays: z.number().int(), anomaly: z.string() }),
  cells: z.array(completenessCellSchema),
});
export type CompletenessGrid = z.infer<typeof completenessGridSchema>;

/** The months of a financial half-year (`2025-H1`: April to September 2025) or a single month, 2010 to 2099. */
export function monthsOfPeriod(period: string): string[] {
  if (/^20[1-9]\d-H[12]$/.test(period)) return monthsOfHalfYear(period);
  if (/^20[1-9]\d-(0[1-9]|1[0-2])$/.test(period)) return [period];
  throw new Error(`not a period: ${period} (a half-year such as 2025-H1, or a month such as 2025-04, from 2010 to 2099)`);
}

export interface CompletenessQuery {
  period: string;
  /** The months to judge, if not the period's (the metrics judge the last twelve). */
  months?: string[];
  force?: string;
  dataset?: Dataset;
  /** Judge as at this instant (a publication's cut-off): closures received after it do not count. Default now. */
  asAt?: Date;
}

interface Row { force: string; dataset: Dataset; month: string; received: string; duplicates: string; refused: string; counted: string; first_arrival: Date | null; last_arrival: Date | null; closed_at: Date | null }

/** Open dead letters per cell: few, so read and attributed here rather than kept in step. */
async function deadLettersByCell(client: Pool | PoolClient, force: string | undefined): Promise<Map<string, number>> {
  const { rows } = await client.query<{ force: string; record: string }>(
    `SELECT force, record FROM pipeline.dead_letters WHERE resolved_at IS NULL AND ($1::text IS NULL OR force = $1)`, [force ?? null]);
  const counts = new Map<string, number>();
  for (const r of rows) {
    let event: unknown = null;
    try {
      const record = JSON.parse(r.record) as { original?: { encoding?: string; data?: string } };
      if (record.original?.encoding === 'utf8' && record.original.data) event = (JSON.parse(record.original.data) as { event?: unknown }).event;
    } catch { /* undecodable: no cell to attribute it to */ }
    const cell = cellOfValue(event);
    if (!cell) continue;
    const key = `${r.force}|${cell.dataset}|${cell.month}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The grid of a period: every force (or one) × dataset (or one) × month, judged as at `asAt`. */
export async function readCompleteness(client: Pool | PoolClient, q: CompletenessQuery): Promise<CompletenessGrid> {
  const months = q.months ?? monthsOfPeriod(q.period);
  const asAt = q.asAt ?? new Date();
  const from = addMonths([...months].sort()[0]!, -HISTORY_MONTHS);
  const to = [...months].sort().at(-1)!;
  // One after another: the client may be a transaction's, which runs one query at a time.
  const { rows } = await client.query<Row>(
    `SELECT force, dataset, month, received, duplicates, refused, counted, first_arrival, last_arrival,
            CASE WHEN closed_at <= $5 THEN closed_at END AS closed_at
       FROM pipeline.completeness
      WHERE month BETWEEN $1 AND $2 AND ($3::text IS NULL OR force = $3) AND ($4::text IS NULL OR dataset = $4)`,
    [from, to, q.force ?? null, q.dataset ?? null, asAt]);
  // The first month each force sent each dataset: history before it is no history.
  const { rows: firsts } = await client.query<{ force: string; dataset: string; first: string }>(
    `SELECT force, dataset, min(month) AS first FROM pipeline.completeness
      WHERE greatest(received - duplicates - refused, counted) > 0 AND ($1::text IS NULL OR force = $1) GROUP BY force, dataset`, [q.force ?? null]);
  const dead = await deadLettersByCell(client, q.force);
  const byKey = new Map(rows.map((r) => [`${r.force}|${r.dataset}|${r.month}`, r]));
  const firstMonth = new Map(firsts.map((r) => [`${r.force}|${r.dataset}`, r.first]));
  // Distinct events accepted; or counted, if more reached the log than were acknowledged (a 503 after the log took them).
  const volumeOf = (r: Row | undefined) => (r ? Math.max(Number(r.received) - Number(r.duplicates) - Number(r.refused), Number(r.counted)) : 0);
  const forces = q.force ? [q.force] : [...forceIds];
  const sets = q.dataset ? [q.dataset] : [...datasets];
  const cells: CompletenessCell[] = [];
  for (const force of forces) {
    for (const dataset of sets) {
      const first = firstMonth.get(`${force}|${dataset}`);
      for (const month of months) {
        const key = `${force}|${dataset}|${month}`;
        const r = byKey.get(key);
        const due = isDue(month, asAt);
        const closed = Boolean(r?.closed_at);
        const history: number[] = [];
        for (let i = HISTORY_MONTHS; i >= 1; i -= 1) {
          const m = addMonths(month, -i);
          const past = byKey.get(`${force}|${dataset}|${m}`);
          // Only months the force reported (sent something, or closed): a silent month is missing, not a zero.
          if (first !== undefined && m >= first && (volumeOf(past) > 0 || past?.closed_at)) history.push(volumeOf(past));
        }
        const expected = dataset === 'returns' ? null : expectation(history);
        const volume = volumeOf(r);
        const received = Number(r?.received ?? 0);
        const late = isLate(month, closed, asAt);
        // Judged once the force says the month is complete, or should have: not while it still arrives.
        const anomalous = (closed || late) && isAnomalous(volume, expected);
        // Judged as at asAt: what arrived after it had not arrived then (the counts are as now).
        const arrived = Boolean(r?.first_arrival && r.first_arrival.getTime() <= asAt.getTime());
        cells.push({
          force, dataset, month, state: stateOf({ arrived, closed, late, anomalous }), closed, late, anomalous, due,
          received, duplicates: Number(r?.duplicates ?? 0), refused: Number(r?.refused ?? 0), counted: Number(r?.counted ?? 0),
          deadLettered: dead.get(key) ?? 0, volume, expected,
          firstArrival: r?.first_arrival?.toISOString() ?? null, lastArrival: r?.last_arrival?.toISOString() ?? null,
          closedAt: r?.closed_at?.toISOString() ?? null,
        });
      }
    }
  }
  return { period: q.period, asAt: asAt.toISOString(), months, datasets: sets, rule: { lateAfterDays: LATE_AFTER_DAYS, anomaly: ANOMALY_RULE }, cells };
}
