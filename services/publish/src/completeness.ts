// A publication is never silently short: before its snapshot, a run waits (a bounded time) until
// validate and aggregate have processed everything ingest accepted by the cut-off, as counted in
// pipeline.progress. If they have not, the run fails with the reason, unless it was asked to
// publish anyway; either way the manifest and the report say what was and was not counted.
import type { Pool, PoolClient } from '@vawg/db';
import { isComplete, readAccounting, type Accounting, type CompletenessCell, type CompletenessGrid } from '@vawg/pipeline';
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

/** The rows' view of the grid at the cut-off: which force-dataset-months were in, and closed. */
export function publicationCompleteness(grid: CompletenessGrid): PublicationCompleteness {
  const cells = new Map(grid.cells.map((c) => [`${c.force}|${c.dataset}|${c.month}`, c]));
  const cell = (force: string, dataset: string, month: string) => cells.get(`${force}|${dataset}|${month}`);
  return {
    reported: (force, dataset, month) => { const c = cell(force, dataset, month); return Boolean(c && c.state !== 'silent'); },
    closed: (force, dataset, month) => Boolean(cell(force, dataset, month)?.closed),
  };
}

export interface GridAtCutoff {
  asAt: string;
  months: string[];
  rule: CompletenessGrid['rule'];
  /** Per state, how many force-dataset-months were in it. */
  states: Record<string, number>;
  /** States and closures only: counts per force-month could undo the disclosure control of the rows. */
  cells: Pick<CompletenessCell, 'force' | 'dataset' | 'month' | 'state' | 'closed' | 'closedAt'>[];
}

export function gridAtCutoff(grid: CompletenessGrid): GridAtCutoff {
  const states: Record<string, number> = {};
  for (const c of grid.cells) states[c.state] = (states[c.state] ?? 0) + 1;
  return {
    asAt: grid.asAt, months: grid.months, rule: grid.rule, states,
    cells: grid.cells.map((c) => ({ force: c.force, dataset: c.dataset, month: c.month, state: c.state, closed: c.closed, closedAt: c.closedAt })),
  };
}
