// How far each submission's accepted events have got (pipeline.progress): ingest counts what it
// accepted, validate what it decided for each event, aggregate what it counted, each in the same
// transaction as the work, so the figures are exact. A publication waits until everything
// accepted by its cut-off has been processed, and reports the figures in its manifest.
import type { Pool, PoolClient } from '@vawg/db';

export const progressOutcomes = {
  ingest: ['accepted'],
  validate: ['passed', 'duplicate', 'refused', 'held', 'withdrawn', 'dead-lettered'],
  aggregate: ['counted', 'dead-lettered'],
} as const;
export type ProgressStage = keyof typeof progressOutcomes;
export type ProgressOutcome<S extends ProgressStage = ProgressStage> = (typeof progressOutcomes)[S][number];

/** Where an event came from: what every message between our stages carries. */
export interface Receipt { submissionId: string; force: string; receivedAt: string }

export interface ProgressDelta extends Receipt { stage: ProgressStage; outcome: string; n: number }

/** Sums the changes of one transaction, per submission, stage and outcome. */
export class ProgressTally {
  private readonly deltas = new Map<string, ProgressDelta>();

  add<S extends ProgressStage>(receipt: Receipt, stage: S, outcome: ProgressOutcome<S>, n = 1): void {
    const key = `${receipt.submissionId}|${stage}|${outcome}`;
    const delta = this.deltas.get(key) ?? { submissionId: receipt.submissionId, force: receipt.force, receivedAt: receipt.receivedAt, stage, outcome, n: 0 };
    delta.n += n;
    this.deltas.set(key, delta);
  }

  /** Non-zero changes in key order, so two transactions lock shared rows in the same order. */
  entries(): ProgressDelta[] {
    return [...this.deltas].filter(([, d]) => d.n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
  }
}

export async function recordProgress(client: Pool | PoolClient, tally: ProgressTally): Promise<void> {
  const deltas = tally.entries();
  if (deltas.length === 0) return;
  const column = <T>(pick: (d: ProgressDelta) => T) => deltas.map(pick);
  await client.query(
    `INSERT INTO pipeline.progress (submission_id, stage, outcome, force, received_at, n)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[])
     ON CONFLICT (submission_id, stage, outcome) DO UPDATE SET n = pipeline.progress.n + excluded.n`,
    [column((d) => d.submissionId), column((d) => d.stage), column((d) => d.outcome), column((d) => d.force), column((d) => d.receivedAt), column((d) => d.n)]);
}

/** What became of the events accepted by a cut-off. `pending` is what a stage has not yet processed. */
export interface Accounting {
  accepted: number;
  counted: number;
  duplicates: number;
  refused: number;
  held: number;
  withdrawn: number;
  deadLettered: number;
  pending: { validate: number; aggregate: number };
}

export function isComplete(a: Accounting): boolean {
  return a.pending.validate === 0 && a.pending.aggregate === 0;
}

/**
 * Per submission received by the cut-off: validate has processed what ingest accepted when its
 * outcomes add up to it, and aggregate what validate passed when its outcomes add up to that.
 * (A submission answered 503 may have reached the log anyway: its events are processed all the
 * same, and its surplus is never taken for another's shortfall.)
 */
export async function readAccounting(client: Pool | PoolClient, cutoff: Date): Promise<Accounting> {
  const { rows } = await client.query<Record<string, number | null>>(
    `WITH s AS (
       SELECT submission_id,
              coalesce(sum(n) FILTER (WHERE stage = 'ingest'), 0) AS accepted,
              coalesce(sum(n) FILTER (WHERE stage = 'validate'), 0) AS validated,
              coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'passed'), 0) AS passed,
              coalesce(sum(n) FILTER (WHERE stage = 'aggregate'), 0) AS aggregated,
              coalesce(sum(n) FILTER (WHERE stage = 'aggregate' AND outcome = 'counted'), 0) AS counted,
              coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'duplicate'), 0) AS duplicates,
              coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'refused'), 0) AS refused,
              coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'held'), 0) AS held,
              coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'withdrawn'), 0) AS withdrawn,
              coalesce(sum(n) FILTER (WHERE outcome = 'dead-lettered'), 0) AS dead
         FROM pipeline.progress WHERE received_at <= $1 GROUP BY submission_id)
     SELECT sum(accepted) AS accepted, sum(counted) AS counted, sum(duplicates) AS duplicates, sum(refused) AS refused,
            sum(held) AS held, sum(withdrawn) AS withdrawn, sum(dead) AS dead,
            sum(greatest(accepted - validated, 0)) AS pending_validate, sum(greatest(passed - aggregated, 0)) AS pending_aggregate
       FROM s`, [cutoff]);
  const r = rows[0] ?? {};
  const n = (v: number | null | undefined) => Number(v ?? 0);
  return {
    accepted: n(r.accepted), counted: n(r.counted), duplicates: n(r.duplicates), refused: n(r.refused), held: n(r.held),
    withdrawn: n(r.withdrawn), deadLettered: n(r.dead), pending: { validate: n(r.pending_validate), aggregate: n(r.pending_aggregate) },
  };
}
