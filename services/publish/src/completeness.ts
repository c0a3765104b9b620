// A publication is never silently short: before its snapshot, a run waits (a bounded time) until
// validate and aggregate have processed everything ingest accepted by the cut-off, as counted in
// pipeline.progress. If they have not, the run fails with the reason, unless it was asked to
// publish anyway; either way the manifest and the report say what was and was not counted.
import type { Pool, PoolClient } from '@vawg/db';
import { datasets, forceIds, type Dataset } from '@vawg/contracts';
import { isComplete, isLate, LATE_AFTER_DAYS, monthsOfPeriod, readAccounting, stateOf, type Accounting } from '@vawg/pipeline';
import type { PublicationCompleteness } from '@vawg/kpi';

/**
 * The manifest's account of the events received by the cut-off, all periods, as the stages stood
 * when the publication was made. accepted + withoutReceipt = counted + duplicates + refusedLater +
 * held + withdrawn + deadLettered + discarded + notYetProcessed.
 */
export interface Completeness {
  /** Events accepted by ingest (answered 202) and received by the cut-off. */
  accepted: number;
  /** Events that reached the log although ingest answered their submission 503 (then processed like any). */
  withoutReceipt: number;
  /** Stored and applied by aggregate: facts and retractions alike (a measure counts what its rules say). */
  counted: number;
  duplicates: number;
  /** Refused by validate after acceptance: conflicts, retractions of retractions, holds that expired. */
  refusedLater: number;
  /** Waiting for what they depend on: a breach for its order's grant, a retraction for its target. */
  held: number;
  /** Held, then retracted before they were released: they never count. */
  withdrawn: number;
  deadLettered: number;
  /** Dead letters an operator discarded, with the reason on record (`vawg discard`). */
  discarded: number;
  /** Accepted, and not yet processed by validate or by aggregate when the snapshot was taken. */
  notYetProcessed: number;
  /** Nothing not yet processed and nothing dead-lettered: every accepted event is reflected in the figures. */
  complete: boolean;
}

export function completenessOf(a: Accounting): Completeness {
  const notYetProcessed = a.pending.validate + a.pending.aggregate;
  return {
    accepted: a.accepted, withoutReceipt: a.withoutReceipt, counted: a.counted, duplicates: a.duplicates, refusedLater: a.refused, held: a.held,
    withdrawn: a.withdrawn, deadLettered: a.deadLettered, discarded: a.discarded, notYetProcessed, complete: notYetProcessed === 0 && a.deadLettered === 0,
  };
}

export const noEvents: Completeness = completenessOf({
  accepted: 0, withoutReceipt: 0, counted: 0, duplicates: 0, refused: 0, held: 0, withdrawn: 0, deadLettered: 0, discarded: 0, pending: { validate: 0, aggregate: 0 },
});

/**
 * Polls until everything accepted by the cut-off is processed, or the wait is over. First, until
 * `settleMs` after the cut-off: a request received before it may still be writing its receipt.
 * Dead letters are not waited for: they do not resolve by themselves.
 */
export async function awaitCompleteness(pool: Pool | PoolClient, cutoff: Date, waitMs: number, settleMs = 0, pollMs = 2000): Promise<{ accounting: Accounting; waitedMs: number }> {
  const started = Date.now();
  const settled = cutoff.getTime() + settleMs;
  if (started < settled) await new Promise((resolve) => setTimeout(resolve, settled - started));
  for (;;) {
    const accounting = await readAccounting(pool, cutoff);
    const waitedMs = Date.now() - started;
    if (isComplete(accounting) || waitedMs >= waitMs) return { accounting, waitedMs };
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, waitMs - waitedMs)));
  }
}

/** One line for the run's record and the operator: what is missing, and what to do. */
export function incompleteReason(a: Accounting, waitedMs: number): string {
  const behind = a.pending.validate + a.pending.aggregate > 0;
  return `incomplete: of ${a.accepted} events accepted by the cut-off, ${a.pending.validate} are not yet validated and ${a.pending.aggregate} not yet counted `
    + `after waiting ${Math.round(waitedMs / 1000)} s, and ${a.deadLettered} were dead-lettered; `
    + (behind ? 'publish again once the stages have caught up (see their lag at /readyz)' : 'see `vawg dead-letters`: redrive them once the cause is fixed, or discard those that can never count (`vawg discard`)')
    + ', or publish with --allow-incomplete to publish anyway and say so';
}

export interface GridCellAtCutoff {
  force: string;
  dataset: Dataset;
  month: string;
  /** closed, open, silent or late as at the cut-off (anomaly is an operations judgement on counts, not kept here). */
  state: 'closed' | 'open' | 'silent' | 'late';
  /** Something for it had been accepted by the cut-off, or it was closed (a declared nothing). */
  reported: boolean;
  closed: boolean;
  /** When the first closure standing at the cut-off was received. */
  closedAt: string | null;
}

export interface GridAtCutoff {
  asAt: string;
  months: string[];
  lateAfterDays: number;
  /** Per state, how many force-dataset-months were in it. */
  states: Record<string, number>;
  /** States and closures only: counts per force-month could undo the disclosure control of the rows. */
  cells: GridCellAtCutoff[];
}

/**
 * Every force × dataset × month of a period exactly as at the cut-off, whenever it is read: the
 * closures standing then (received by it, and not retracted by a retraction received by it, from
 * aggregate's facts) and whether anything accepted had arrived by then (the cell's first
 * arrival). So a publication made again as at the same cut-off marks the same rows provisional.
 */
export async function readGridAtCutoff(client: Pool | PoolClient, period: string, cutoff: Date): Promise<GridAtCutoff> {
  const months = monthsOfPeriod(period);
  const { rows: closures } = await client.query<{ force: string; case_ref: string; closed_at: Date | number | null }>(
    `SELECT c.force, c.case_ref, min(coalesce(c.received_at, '-infinity')) AS closed_at
       FROM aggregate.case_events c
      WHERE c.case_kind = 'closure' AND c.force = ANY($1) AND c.case_ref = ANY($2) AND (c.received_at IS NULL OR c.received_at <= $3)
        AND NOT EXISTS (SELECT 1 FROM aggregate.retractions r WHERE r.force = c.force AND r.target_event_id = c.event_id AND (r.received_at IS NULL OR r.received_at <= $3))
      GROUP BY c.force, c.case_ref`,
    [forceIds, datasets.flatMap((d) => months.map((m) => `${d}|${m}`)), cutoff]);
  const { rows: arrived } = await client.query<{ force: string; dataset: string; month: string }>(
    `SELECT force, dataset, month FROM pipeline.completeness WHERE month = ANY($1) AND first_arrival <= $2`, [months, cutoff]);
  const closedAt = new Map(closures.map((r) => [`${r.force}|${r.case_ref}`, r.closed_at]));
  /** The publication's states: the operations' less anomalous, a judgement on counts not kept as at a cut-off. */
  const reported = new Set(arrived.map((r) => `${r.force}|${r.dataset}|${r.month}`));
  const cells: GridCellAtCutoff[] = [];
  const states: Record<string, number> = {};
  for (const force of forceIds) {
    for (const dataset of datasets) {
      for (const month of months) {
        const at = closedAt.get(`${force}|${dataset}|${month}`);
        const closed = at !== undefined;
        const hasData = reported.has(`${force}|${dataset}|${month}`);
        const state = stateOf({ arrived: hasData, closed, late: isLate(month, closed, cutoff), anomalous: false }) as GridCellAtCutoff['state'];
        states[state] = (states[state] ?? 0) + 1;
        cells.push({ force, dataset, month, state, reported: hasData || closed, closed, closedAt: at instanceof Date && Number.isFinite(at.getTime()) ? at.toISOString() : null });
      }
    }
  }
  return { asAt: cutoff.toISOString(), months, lateAfterDays: LATE_AFTER_DAYS, states, cells };
}

/** The rows' view of the grid at the cut-off: which force-dataset-months were in, and closed. */
export function publicationCompleteness(grid: GridAtCutoff): PublicationCompleteness {
  const cells = new Map(grid.cells.map((c) => [`${c.force}|${c.dataset}|${c.month}`, c]));
  return {
    reported: (force, dataset, month) => Boolean(cells.get(`${force}|${dataset}|${month}`)?.reported),
    closed: (force, dataset, month) => Boolean(cells.get(`${force}|${dataset}|${month}`)?.closed),
  };
}
