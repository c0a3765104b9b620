// One publication run for a half-year: a snapshot as at the cut-off, the rows with disclosure
// control, the files under a new immutable prefix (manifest last), then the record. A run whose
// data equal the latest revision's writes nothing. Every run is recorded in publish.runs.
import { createHash } from 'node:crypto';
import { inTransaction, withSessionLock, type Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import { forceIds, type ReportPublished } from '@vawg/contracts';
import { buildRows, isHalfYear, toCsv, toJson, type PublishedRow } from '@vawg/kpi';
import { readAccounting } from '@vawg/pipeline';
import { readSnapshot } from './snapshot.ts';
import { awaitCompleteness, completenessOf, incompleteReason, publicationCompleteness, readGridAtCutoff, type Completeness, type GridAtCutoff } from './completeness.ts';
import { assertHeld, claimRevision, FencedOut, markPublished } from './revisions.ts';
import { diffRows, type Changes } from './diff.ts';
import { renderPages } from './html/report.ts';
import { copyDocuments, type PublishedDocument } from './documents.ts';

export interface PublishDeps {
  pool: Pool;
  store: ObjectStore;
  serviceVersion: string;
  /** Announces each revision written (`report.published` on the bus); none when absent. */
  announce?: (message: ReportPublished) => Promise<void>;
  /** Longest a run waits for the stages to process what was accepted by its cut-off (default 5 minutes). */
  completenessWaitMs?: number;
  /** How long a run taking over an abandoned revision waits for the other's last write (default 30 s). */
  fenceDelayMs?: number;
  /**
   * How long after the cut-off requests received before it may still be writing their receipts:
   * the run reads the account no earlier (default 0; the service and the CLI give the ingest deadline).
   */
  settleMs?: number;
}

export interface PublishOptions {
  /** As at this instant: the events received up to it. Default: now. */
  cutoff?: Date;
  trigger?: 'schedule' | 'operator';
  /** The scheduled instant a scheduled run is for. */
  slot?: Date;
  /** Publish even if some accepted events are not yet processed; the manifest and report say how many. */
  allowIncomplete?: boolean;
}

export interface PublicationResult {
  period: string;
  revision: number;
  /** `reports/<period>/r<revision>/` in the bucket. */
  prefix: string;
  /** True when nothing changed since that revision, so nothing was written. */
  unchanged: boolean;
  completeness: Completeness;
}

export class PublishError extends Error {
  override readonly name = 'PublishError';
}

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export interface Manifest {
  period: string;
  revision: number;
  cutoff: string;
  codeVersion: string;
  /** `aggregates` (live) or `recompute` (from the case tables, as at an earlier cut-off). */
  source: string;
  eventsApplied: number;
  logPositions: { topic: string; partition: number; nextOffset: number }[];
  /** What became of the events received by the cut-off; `complete` false only with --allow-incomplete. */
  completeness: Completeness;
  rows: number;
  suppressedRows: number;
  returnsReceived: number;
  /** Each force × dataset × month at the cut-off: its state, and whether it was closed. */
  completenessGrid: GridAtCutoff;
  files: Record<string, { sha256: string; bytes: number }>;
  /** From revision 2: what changed since the previous revision. */
  changes: Changes | null;
  /** The documents the returns cite, copied under the revision (`file`, relative to it; null if not found). */
  documents: PublishedDocument[];
}

const DEFAULT_WAIT_MS = 5 * 60_000;
const DEFAULT_FENCE_DELAY_MS = 30_000;

export async function publishPeriod(deps: PublishDeps, period: string, options: PublishOptions = {}): Promise<PublicationResult> {
  if (!isHalfYear(period)) throw new PublishError(`not a half-year: ${period} (expected e.g. 2025-H1)`);
  const cutoff = options.cutoff ?? new Date();
  if (Number.isNaN(cutoff.getTime())) throw new PublishError('the cut-off is not a valid instant (expected e.g. 2026-05-01T07:00:00Z)');
  if (cutoff.getTime() > Date.now() + 60_000) throw new PublishError(`the cut-off ${cutoff.toISOString()} is in the future: a publication is as at what has been received`);
  const trigger = options.trigger ?? 'operator';
  const run = await deps.pool.query<{ id: number }>(
    `INSERT INTO publish.runs (period, trigger, slot, cutoff, status) VALUES ($1, $2, $3, $4, 'running') RETURNING id`,
    [period, trigger, options.slot ?? null, cutoff]);
  const runId = run.rows[0]!.id;
  try {
    const waited = await awaitCompleteness(deps.pool, cutoff, deps.completenessWaitMs ?? DEFAULT_WAIT_MS, deps.settleMs ?? 0);
    if (!completenessOf(waited.accounting).complete && !options.allowIncomplete) throw new PublishError(incompleteReason(waited.accounting, waited.waitedMs));
    // Runs for one period never overlap, across processes: the second waits, then its snapshot
    // (taken after the wait) finds the first's revision, so no revision is ever written twice.
    const outcome = await withSessionLock(deps.pool, `publish:${period}`, (client) =>
      inTransaction(client, async () => {
        const snapshot = await readSnapshot(client, period, cutoff);
        // In the snapshot: the account the manifest gives is of the same state as the cells it publishes.
        const accounts = await readAccounting(client, cutoff, true);
        const completeness = completenessOf(accounts.get('national')!);
        const completenessByForce = new Map([...accounts].filter(([f]) => f !== 'national').map(([f, a]) => [f, completenessOf(a)]));
        // Which force-months were in and closed at the cut-off: the rows say so, and the manifest keeps the grid.
        const atCutoff = await readGridAtCutoff(client, period, cutoff);
        const rows = buildRows(period, forceIds, { ...snapshot.input, completeness: publicationCompleteness(atCutoff) });
        const cellsJson = toJson(rows);
        const shortfall = completeness.complete && completeness.deadLettered === 0 ? '' : JSON.stringify(completeness);
        const contentSha256 = sha256(`${cellsJson}${JSON.stringify(snapshot.returns)}${shortfall}`);
        const latest = await client.query<{ revision: number; content_sha256: string; prefix: string }>(
          `SELECT revision, content_sha256, prefix FROM publish.publications WHERE period = $1 AND status = 'published' ORDER BY revision DESC LIMIT 1`, [period]);
        const last = latest.rows[0];
        if (last && last.content_sha256 === contentSha256) return { revision: last.revision, prefix: last.prefix, unchanged: true as const, completeness };

        const claim = await claimRevision({ pool: deps.pool, store: deps.store, period, runId, cutoff, contentSha256, fenceDelayMs: deps.fenceDelayMs ?? DEFAULT_FENCE_DELAY_MS });
        const { revision, prefix } = claim;
        const previous = last ? await readRows(deps.store, `${last.prefix}cells.json`) : null;
        const changes = previous ? diffRows(last!.revision, previous, rows) : null;
        // The returns' documents first, so the pages link only to copies that are there.
        const documents = await copyDocuments(deps.store, prefix, snapshot.returns, () => assertHeld(deps.pool, claim));
        const context = { period, revision, cutoff: cutoff.toISOString(), rows, returns: snapshot.returns, changes, completeness, completenessByForce, grid: atCutoff, documents };
        const files = new Map<string, string>([
          ['cells.csv', toCsv(rows)],
          ['cells.json', cellsJson],
          ...renderPages(context),
        ]);
        const manifest: Manifest = {
          period, revision, cutoff: cutoff.toISOString(), codeVersion: deps.serviceVersion, source: snapshot.source,
          eventsApplied: snapshot.eventsApplied, logPositions: snapshot.positions, completeness,
          rows: rows.length, suppressedRows: rows.filter((r) => r.suppressed).length, returnsReceived: snapshot.returns.length,
          completenessGrid: atCutoff,
          files: Object.fromEntries([...files].map(([name, body]) => [name, { sha256: sha256(body), bytes: Buffer.byteLength(body) }])),
          changes,
          documents,
        };
        // A digest of every file of the revision: the documents' are their own (ingest named them by it).
        for (const doc of documents) if (doc.file) manifest.files[doc.file] = { sha256: doc.sha256, bytes: doc.bytes };
        for (const [name, body] of files) {
          await assertHeld(deps.pool, claim);
          await deps.store.put(`${prefix}${name}`, body, contentType(name));
        }
        // The manifest goes last: a prefix without one is an interrupted run, never a publication.
        const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
        await assertHeld(deps.pool, claim);
        await deps.store.put(`${prefix}manifest.json`, manifestText, 'application/json');
        await markPublished(deps.pool, claim, manifestText);
        return { revision, prefix, unchanged: false as const, manifestSha256: sha256(manifestText), rowsChanged: changes?.rowsChanged ?? null, completeness };
      }, 'repeatable read'));

    let announceError: string | null = null;
    if (!outcome.unchanged && deps.announce) {
      try {
        await deps.announce({ v: 1, type: 'report.published', period, revision: outcome.revision, cutoff: cutoff.toISOString(), prefix: outcome.prefix, manifestSha256: outcome.manifestSha256, rowsChanged: outcome.rowsChanged });
      } catch (error) {
        // The revision stands (it is recorded and complete); the run says the announcement failed.
        announceError = `published, but report.published was not announced: ${(error as Error).message}`;
      }
    }
    await deps.pool.query(
      `UPDATE publish.runs SET status = $2, revision = $3, error = $4, finished_at = now() WHERE id = $1`,
      [runId, outcome.unchanged ? 'unchanged' : 'published', outcome.revision, announceError]);
    return { period, revision: outcome.revision, prefix: outcome.prefix, unchanged: outcome.unchanged, completeness: outcome.completeness };
  } catch (error) {
    await deps.pool.query(`UPDATE publish.runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [runId, (error as Error).message])
      .catch(() => undefined);
    throw error instanceof FencedOut ? new PublishError(error.message) : error;
  }
}

function contentType(name: string): string {
  if (name.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (name.endsWith('.html')) return 'text/html; charset=utf-8';
  return 'application/json';
}

async function readRows(store: ObjectStore, key: string): Promise<PublishedRow[]> {
  const body = await store.get(key);
  if (!body) throw new PublishError(`the previous revision's ${key} is missing from the object store`);
  return JSON.parse(body.toString('utf8')) as PublishedRow[];
}

export interface PublicationSummary {
  period: string;
  revision: number;
  cutoff: string;
  prefix: string;
  publishedAt: string;
}

export async function listPublications(pool: Pool, period?: string): Promise<PublicationSummary[]> {
  const { rows } = await pool.query<{ period: string; revision: number; cutoff: Date; prefix: string; published_at: Date }>(
    `SELECT period, revision, cutoff, prefix, published_at FROM publish.publications
      WHERE ($1::text IS NULL OR period = $1) AND status = 'published' ORDER BY period, revision`, [period ?? null]);
  return rows.map((r) => ({ period: r.period, revision: r.revision, cutoff: r.cutoff.toISOString(), prefix: r.prefix, publishedAt: r.published_at.toISOString() }));
}

export interface RunSummary {
  id: number;
  period: string;
  trigger: string;
  slot: string | null;
  cutoff: string;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  revision: number | null;
  error: string | null;
}

export async function listRuns(pool: Pool, period?: string): Promise<RunSummary[]> {
  const { rows } = await pool.query<{ id: number; period: string; trigger: string; slot: Date | null; cutoff: Date; started_at: Date; finished_at: Date | null; status: string; revision: number | null; error: string | null }>(
    `SELECT * FROM publish.runs WHERE $1::text IS NULL OR period = $1 ORDER BY id`, [period ?? null]);
  return rows.map((r) => ({
    id: r.id, period: r.period, trigger: r.trigger, slot: r.slot?.toISOString() ?? null, cutoff: r.cutoff.toISOString(),
    startedAt: r.started_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null, status: r.status, revision: r.revision, error: r.error,
  }));
}
