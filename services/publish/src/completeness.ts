// A publication is never silently short: before its snapshot, a run waits (a bounded time) until
// validate and aggregate have processed everything ingest accepted by the cut-off, as counted in
// pipeline.progress. If they have not, the run fails with the reason, unless it was asked to
// publish anyway; either way the manifest and the report say what was and was not counted.
import type { Pool, PoolClient } from '@vawg/db';
import { isComplete, readAccounting, type Accounting } from '@vawg/pipeline';

/** The manifest's account of the events accepted by the cut-off. */
export interface Completeness {
  /** Events accepted by ingest (answered 202) and received by the cut-off. */
  accepted: number;
  counted: number;
  duplicates: number;
  /** Refused by validate after acceptance: conflicts, retractions of retractions, holds that expired. */
  refusedLater: number;
  /** Waiting for what they depend on: a breach for its order's grant, a retraction for its target. */
  held: number;
  /** Held, then retracted before they were released: they never count. */
  withdrawn: number;
  deadLettered: number;
  /** Accepted, and not yet processed by validate or by aggregate when the snapshot was taken. */
  notYetProcessed: number;
  complete: boolean;
}

export function completenessOf(a: Accounting): Completeness {
  const notYetProcessed = a.pending.validate + a.pending.aggregate;
  return {
    accepted: a.accepted, counted: a.counted, duplicates: a.duplicates, refusedLater: a.refused, held: a.held, withdrawn: a.withdrawn,
    deadLettered: a.deadLettered, notYetProcessed, complete: notYetProcessed === 0,
  };
}

/** Polls until everything accepted by the cut-off is processed, or the wait is over. */
export async function awaitCompleteness(pool: Pool | PoolClient, cutoff: Date, waitMs: number, pollMs = 1000): Promise<{ accounting: Accounting; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const accounting = await readAccounting(pool, cutoff);
    const waitedMs = Date.now() - started;
    if (isComplete(accounting) || waitedMs >= waitMs) return { accounting, waitedMs };
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, waitMs - waitedMs)));
  }
}

/** One line for the run's record and the operator: what is missing, and what to do. */
export function incompleteReason(a: Accounting, waitedMs: number): string {
  return `incomplete: of ${a.accepted} events accepted by the cut-off, ${a.pending.validate} are not yet validated and ${a.pending.aggregate} not yet counted `
    + `after waiting ${Math.round(waitedMs / 1000)} s (${a.deadLettered} dead-lettered); publish again once the stages have caught up `
    + '(see their lag at /readyz), or with --allow-incomplete to publish anyway and say so';
}
