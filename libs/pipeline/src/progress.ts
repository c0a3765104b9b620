// How far each submission's accepted events have got (pipeline.progress): ingest counts what it
// accepted, validate what it decided for each event, aggregate what it counted, each in the same
// transaction as the work, so the figures are exact. A publication waits until everything
// accepted by its cut-off has been processed, and reports the figures in its manifest.
import { z } from 'zod';
import type { Pool, PoolClient } from '@vawg/db';

export const progressOutcomes = {
  ingest: ['accepted'],
  validate: ['passed', 'duplicate', 'refused', 'held', 'withdrawn', 'dead-lettered', 'discarded'],
  aggregate: ['counted', 'dead-lettered', 'discarded'],
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

/**
 * What became of the events received by a cut-off, all periods. The categories add up:
 * accepted + withoutReceipt = counted + duplicates + refused + held + withdrawn + deadLettered
 * + discarded + pending.validate + pending.aggregate.
 */
export interface Accounting {
  /** Answered `accepted` in a 202. */
  accepted: number;
  /** Reached the log although the sender was answered 503 (a dependency failed after the log took them). */
  withoutReceipt: number;
  /** Stored and applied by aggregate (facts and retractions alike; a KPI counts what its rules say). */
  counted: number;
  duplicates: number;
  /** Refused by validate after acceptance: conflicts, retractions of retractions, holds that expired. */
  refused: number;
  held: number;
  withdrawn: number;
  deadLettered: number;
  /** Dead letters an operator discarded, with a reason on record: never counted, no longer waited for. */
  discarded: number;
  pending: { validate: number; aggregate: number };
}

export function isComplete(a: Accounting): boolean {
  return a.pending.validate === 0 && a.pending.aggregate === 0;
}

const perSubmission = `
  SELECT submission_id, min(force) AS force, min(received_at) AS received_at,
         coalesce(sum(n) FILTER (WHERE stage = 'ingest'), 0) AS accepted,
         coalesce(sum(n) FILTER (WHERE stage = 'validate'), 0) AS validated,
         coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'passed'), 0) AS passed,
         coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'dead-lettered'), 0) AS validate_dead,
         coalesce(sum(n) FILTER (WHERE stage = 'aggregate'), 0) AS aggregated,
         coalesce(sum(n) FILTER (WHERE stage = 'aggregate' AND outcome = 'dead-lettered'), 0) AS aggregate_dead,
         coalesce(sum(n) FILTER (WHERE stage = 'aggregate' AND outcome = 'counted'), 0) AS counted,
         coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'duplicate'), 0) AS duplicates,
         coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'refused'), 0) AS refused,
         coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'held'), 0) AS held,
         coalesce(sum(n) FILTER (WHERE stage = 'validate' AND outcome = 'withdrawn'), 0) AS withdrawn,
         coalesce(sum(n) FILTER (WHERE outcome = 'discarded'), 0) AS discarded
    FROM pipeline.progress`;

/**
 * Per submission received by the cut-off: validate has processed what ingest accepted when its
 * outcomes add up to it, and aggregate what validate passed when its outcomes add up to that. A
 * submission answered 503 may have reached the log anyway: its events are processed all the same,
 * counted as without receipt, and never taken for another submission's shortfall. By force, and
 * national (the key `national`).
 */
export async function readAccounting(client: Pool | PoolClient, cutoff: Date): Promise<Accounting>;
export async function readAccounting(client: Pool | PoolClient, cutoff: Date, byForce: true): Promise<Map<string, Accounting>>;
export async function readAccounting(client: Pool | PoolClient, cutoff: Date, byForce = false): Promise<Accounting | Map<string, Accounting>> {
  const { rows } = await client.query<Record<string, number | string | null>>(
    `WITH s AS (${perSubmission} WHERE received_at <= $1 GROUP BY submission_id)
     SELECT coalesce(force, 'national') AS force, sum(accepted) AS accepted, sum(greatest(validated - accepted, 0)) AS without_receipt,
            sum(counted) AS counted, sum(duplicates) AS duplicates, sum(refused) AS refused,
            sum(held) AS held, sum(withdrawn) AS withdrawn, sum(validate_dead + aggregate_dead) AS dead, sum(discarded) AS discarded,
            sum(greatest(accepted - validated, 0)) AS pending_validate, sum(greatest(passed - aggregated, 0)) AS pending_aggregate
       FROM s GROUP BY ROLLUP (force)`, [cutoff]);
  const n = (v: number | string | null | undefined) => Number(v ?? 0);
  const accounts = new Map<string, Accounting>();
  for (const r of rows) {
    accounts.set(String(r.force), {
      accepted: n(r.accepted), withoutReceipt: n(r.without_receipt), counted: n(r.counted), duplicates: n(r.duplicates), refused: n(r.refused),
      held: n(r.held), withdrawn: n(r.withdrawn), deadLettered: n(r.dead), discarded: n(r.discarded),
      pending: { validate: n(r.pending_validate), aggregate: n(r.pending_aggregate) },
    });
  }
  const empty: Accounting = { accepted: 0, withoutReceipt: 0, counted: 0, duplicates: 0, refused: 0, held: 0, withdrawn: 0, deadLettered: 0, discarded: 0, pending: { validate: 0, aggregate: 0 } };
  if (!accounts.has('national')) accounts.set('national', empty);
  return byForce ? accounts : accounts.get('national')!;
}

/**
 * When the oldest event a stage has not processed was received, or null when it has processed
 * everything: the measure of how far behind it is, exact and the same after a restart. With
 * `deadLettersPending`, dead letters count as not processed (they may yet be redriven).
 */
export async function oldestUnprocessed(client: Pool | PoolClient, stage: 'validate' | 'aggregate', options: { deadLettersPending?: boolean } = {}): Promise<Date | null> {
  const done = stage === 'validate'
    ? (options.deadLettersPending ? 'validated - validate_dead' : 'validated')
    : (options.deadLettersPending ? 'aggregated - aggregate_dead' : 'aggregated');
  const input = stage === 'validate' ? 'accepted' : 'passed';
  const { rows } = await client.query<{ oldest: Date | null }>(
    `SELECT min(received_at) AS oldest FROM (${perSubmission} GROUP BY submission_id) s WHERE ${input} > ${done}`);
  return rows[0]?.oldest ?? null;
}

const count = () => z.number().int().min(0);

/** How far one submission's accepted events have got: what `GET /v1/submissions/{id}` shows its force. */
export const submissionProgressSchema = z.object({
  accepted: count(),
  validated: count().describe('Decided by validate: passed on, duplicates, refused later, held, or withdrawn while held'),
  passed: count(),
  duplicates: count(),
  refusedLater: count(),
  held: count(),
  withdrawn: count(),
  counted: count(),
  deadLettered: count(),
  discarded: count(),
  pending: z.object({ validate: count(), aggregate: count() }),
  complete: z.boolean().describe('Every accepted event has reached its end: counted, or accounted for otherwise'),
});
export type SubmissionProgress = z.infer<typeof submissionProgressSchema>;

export async function readSubmissionProgress(client: Pool | PoolClient, submissionId: string): Promise<SubmissionProgress> {
  const { rows } = await client.query<Record<string, string | null>>(`${perSubmission} WHERE submission_id = $1 GROUP BY submission_id`, [submissionId]);
  const r = rows[0] ?? {};
  const n = (v: string | null | undefined) => Number(v ?? 0);
  const pending = { validate: Math.max(n(r.accepted) - n(r.validated), 0), aggregate: Math.max(n(r.passed) - n(r.aggregated), 0) };
  return {
    accepted: n(r.accepted), validated: n(r.validated) - n(r.validate_dead), passed: n(r.passed), duplicates: n(r.duplicates),
    refusedLater: n(r.refused), held: n(r.held), withdrawn: n(r.withdrawn), counted: n(r.counted),
    deadLettered: n(r.validate_dead) + n(r.aggregate_dead), discarded: n(r.discarded), pending,
    complete: pending.validate === 0 && pending.aggregate === 0 && n(r.held) === 0,
  };
}
