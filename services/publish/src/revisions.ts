// Revision numbers and the fence that keeps two runs out of one revision folder (migration 0003).
// Under the period's advisory lock a run claims the next revision with a committed row; before
// every file it writes it checks the claim is still its own; at the end it marks the revision
// published, again only if the claim is its own. A run that finds the highest revision still
// `writing` knows its claimant never finished (it holds the lock now, so the other does not):
// it takes the claim over, waits until any write of the other still in flight has landed, clears
// the folder, and writes the revision itself.
import type { Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';

export interface Claim {
  period: string;
  revision: number;
  prefix: string;
  runId: number;
}

export class FencedOut extends Error {
  override readonly name = 'FencedOut';
}

export interface ClaimOptions {
  pool: Pool;
  store: ObjectStore;
  period: string;
  runId: number;
  cutoff: Date;
  contentSha256: string;
  /** How long the longest write of an abandoned run can still take to land (its S3 timeout). */
  fenceDelayMs: number;
}

export async function claimRevision(o: ClaimOptions): Promise<Claim> {
  const { rows } = await o.pool.query<{ revision: number; status: string }>(
    'SELECT revision, status FROM publish.publications WHERE period = $1 ORDER BY revision DESC LIMIT 1', [o.period]);
  const top = rows[0];
  if (top?.status === 'writing') {
    const claim = { period: o.period, revision: top.revision, prefix: prefixOf(o.period, top.revision), runId: o.runId };
    await o.pool.query(
      'UPDATE publish.publications SET run_id = $3, cutoff = $4, content_sha256 = $5 WHERE period = $1 AND revision = $2 AND status = \'writing\'',
      [o.period, top.revision, o.runId, o.cutoff, o.contentSha256]);
    await new Promise((resolve) => setTimeout(resolve, o.fenceDelayMs));
    for (const key of await o.store.list(claim.prefix)) await o.store.delete(key);
    return claim;
  }
  const revision = (top?.revision ?? 0) + 1;
  // The primary key refuses a second claim of one revision: a run that loses that race fails whole.
  await o.pool.query(
    `INSERT INTO publish.publications (period, revision, cutoff, prefix, content_sha256, run_id, status) VALUES ($1, $2, $3, $4, $5, $6, 'writing')`,
    [o.period, revision, o.cutoff, prefixOf(o.period, revision), o.contentSha256, o.runId]);
  return { period: o.period, revision, prefix: prefixOf(o.period, revision), runId: o.runId };
}

/** Throws unless the claim is still this run's: checked before every write. */
export async function assertHeld(pool: Pool, claim: Claim): Promise<void> {
  const { rows } = await pool.query<{ run_id: number | null }>(
    `SELECT run_id FROM publish.publications WHERE period = $1 AND revision = $2 AND status = 'writing'`, [claim.period, claim.revision]);
  if (rows[0]?.run_id !== claim.runId) throw new FencedOut(`revision ${claim.revision} of ${claim.period} was taken over by another run; this run wrote nothing more`);
}

export async function markPublished(pool: Pool, claim: Claim, manifest: string): Promise<void> {
  const { rowCount } = await pool.query(
    `UPDATE publish.publications SET status = 'published', manifest = $4, published_at = now()
      WHERE period = $1 AND revision = $2 AND run_id = $3 AND status = 'writing'`, [claim.period, claim.revision, claim.runId, manifest]);
  if (!rowCount) throw new FencedOut(`revision ${claim.revision} of ${claim.period} was taken over by another run before it was recorded`);
}

export const prefixOf = (period: string, revision: number) => `reports/${period}/r${revision}/`;
