// A consistent read of what a publication needs, as at a cut-off: one REPEATABLE READ
// transaction sees the cells, the returns and the aggregate's positions as of one instant,
// whatever the consumers commit meanwhile.
//
// When every event the aggregate holds was received by the cut-off (the scheduled run, and any
// run "now"), the live aggregates are exactly the answer. When some were received after it (a
// rerun as at an earlier cut-off), the cells are recomputed from the case tables, counting only
// what was received by then: slower, and exact.
import type { PoolClient } from '@vawg/db';
import { referenceCellsIn } from '@vawg/aggregate/reference';
import { qualitativeKpis, type ForceEvent } from '@vawg/contracts';
import { countKey, latestOf, monthsOfHalfYear, OPENING, stockSources, type PublicationInput } from '@vawg/kpi';

export interface ReturnDetail {
  force: string;
  kpi: string;
  summary: string;
  measures: Record<string, number>;
  documents: { name: string; sha256: string; bytes: number }[];
}

export interface Snapshot {
  input: PublicationInput;
  returns: ReturnDetail[];
  /** Where the aggregate had got to in each partition: the log positions this publication reflects. */
  positions: { topic: string; partition: number; nextOffset: number }[];
  /** Events (facts and retractions) received by the cut-off and applied. */
  eventsApplied: number;
  /** Where the cells came from: the live aggregates, or a recompute as at an earlier cut-off. */
  source: 'aggregates' | 'recompute';
}

interface CellRow { force: string; month: string; measure: string; split: string; category: string; days: number | null; value: number }

export async function readSnapshot(client: PoolClient, period: string, cutoff: Date): Promise<Snapshot> {
  const months = monthsOfHalfYear(period);
  const later = await client.query<{ later: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM aggregate.case_events WHERE received_at > $1)
         OR EXISTS (SELECT 1 FROM aggregate.retractions WHERE received_at > $1) AS later`, [cutoff]);
  const source = later.rows[0]?.later ? 'recompute' : 'aggregates';
  const cells = source === 'aggregates' ? await liveCells(client, months) : await recomputedCells(client, months, cutoff);

  const counts = new Map<string, number>();
  const histograms = new Map<string, Map<number, number>>();
  for (const c of cells) {
    const key = countKey(c.force, c.month, c.measure, c.split, c.category);
    if (c.days === null) counts.set(key, (counts.get(key) ?? 0) + c.value);
    else {
      const h = histograms.get(key) ?? new Map<number, number>();
      h.set(c.days, c.value);
      histograms.set(key, h);
    }
  }
  const returns = await readReturns(client, period, cutoff);
  const positions = await client.query<{ topic: string; partition: number; next_offset: number }>(
    'SELECT topic, partition, next_offset FROM aggregate.consumer_offsets ORDER BY topic, partition');
  const applied = await client.query<{ count: number }>(
    `SELECT (SELECT count(*) FROM aggregate.case_events WHERE received_at IS NULL OR received_at <= $1)
          + (SELECT count(*) FROM aggregate.retractions WHERE received_at IS NULL OR received_at <= $1) AS count`, [cutoff]);
  return {
    input: { counts, histograms, returns: new Set(returns.map((r) => `${r.force}|${r.kpi}`)) },
    returns,
    positions: positions.rows.map((p) => ({ topic: p.topic, partition: p.partition, nextOffset: p.next_offset })),
    eventsApplied: applied.rows[0]?.count ?? 0,
    source,
  };
}

/** The period's cells, and the opening balances of stocks (their changes before the period). */
async function liveCells(client: PoolClient, months: string[]): Promise<CellRow[]> {
  const { rows } = await client.query<CellRow>(
    `SELECT force, month, measure, split, category, NULL::int AS days, value FROM aggregate.cells WHERE month = ANY($1) AND value <> 0
     UNION ALL
     SELECT force, $3, measure, split, category, NULL, sum(value)::bigint FROM aggregate.cells
      WHERE measure = ANY($2) AND month < $4 GROUP BY force, measure, split, category HAVING sum(value) <> 0
     UNION ALL
     SELECT force, month, measure, split, category, days, count FROM aggregate.histograms WHERE month = ANY($1) AND count <> 0`,
    [months, stockSources, OPENING, months[0]]);
  return rows;
}

async function recomputedCells(client: PoolClient, months: string[], cutoff: Date): Promise<CellRow[]> {
  const first = months[0]!;
  const rows: CellRow[] = [];
  for (const c of await referenceCellsIn(client, cutoff)) {
    if (months.includes(c.month)) rows.push({ ...c, days: c.kind === 'histogram' ? c.days : null });
    else if (c.kind === 'count' && c.month < first && stockSources.includes(c.measure)) rows.push({ ...c, month: OPENING, days: null });
  }
  return rows;
}

/** Each force's latest standing return for each qualitative KPI of the period. */
async function readReturns(client: PoolClient, period: string, cutoff: Date): Promise<ReturnDetail[]> {
  const { rows } = await client.query<{ force: string; event: string }>(
    `SELECT c.force, c.event FROM aggregate.case_events c
      WHERE c.case_kind = 'return' AND c.case_ref = ANY($2) AND (c.received_at IS NULL OR c.received_at <= $1)
        AND NOT EXISTS (SELECT 1 FROM aggregate.retractions r WHERE r.force = c.force AND r.target_event_id = c.event_id
                           AND (r.received_at IS NULL OR r.received_at <= $1))`,
    [cutoff, qualitativeKpis.map((kpi) => `${kpi}|${period}`)]);
  const byCase = new Map<string, ForceEvent[]>();
  for (const r of rows) {
    const event = JSON.parse(r.event) as ForceEvent;
    if (event.type !== 'return.submitted') continue;
    const key = `${r.force}|${event.payload.kpi}`;
    const list = byCase.get(key);
    if (list) list.push(event);
    else byCase.set(key, [event]);
  }
  const returns: ReturnDetail[] = [];
  for (const events of byCase.values()) {
    const latest = latestOf(events);
    if (latest?.type !== 'return.submitted') continue;
    returns.push({ force: latest.force, kpi: latest.payload.kpi, summary: latest.payload.summary, measures: latest.payload.measures ?? {}, documents: latest.payload.documents });
  }
  return returns.sort((a, b) => (a.force === b.force ? (a.kpi < b.kpi ? -1 : 1) : a.force < b.force ? -1 : 1));
}
