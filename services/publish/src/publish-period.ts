// One publication run for a half-year: snapshot, rows with disclosure control, files under a new
// immutable prefix, then the record. A run whose rows equal the latest revision's writes nothing.
import { createHash } from 'node:crypto';
import { inTransaction, withSessionLock, type Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import { forceIds } from '@vawg/contracts';
import { buildCountRows, isHalfYear, toCsv, toJson } from '@vawg/kpi';
import { readSnapshot } from './snapshot.ts';

export interface PublishDeps {
  pool: Pool;
  store: ObjectStore;
  serviceVersion: string;
}

export interface PublicationResult {
  period: string;
  revision: number;
  /** `reports/<period>/r<revision>/` in the bucket. */
  prefix: string;
  /** True when nothing changed since that revision, so nothing was written. */
  unchanged: boolean;
}

export class PublishError extends Error {
  override readonly name = 'PublishError';
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

export async function publishPeriod(deps: PublishDeps, period: string, cutoff = new Date()): Promise<PublicationResult> {
  if (!isHalfYear(period)) throw new PublishError(`not a half-year: ${period} (expected e.g. 2025-H1)`);
  // Runs for one period never overlap, across processes: the second waits, then its snapshot
  // (taken after the wait) finds the first's revision, so no revision is ever written twice.
  return withSessionLock(deps.pool, `publish:${period}`, (client) => inTransaction(client, async () => {
    const snapshot = await readSnapshot(client, period);
    const rows = buildCountRows(period, forceIds, snapshot.counts);
    const files = { 'cells.csv': toCsv(rows), 'cells.json': toJson(rows) };
    const contentSha256 = sha256(files['cells.json']);

    const latest = await client.query<{ revision: number; content_sha256: string; prefix: string }>(
      'SELECT revision, content_sha256, prefix FROM publish.publications WHERE period = $1 ORDER BY revision DESC LIMIT 1', [period]);
    const last = latest.rows[0];
    if (last && last.content_sha256 === contentSha256) return { period, revision: last.revision, prefix: last.prefix, unchanged: true };

    const revision = (last?.revision ?? 0) + 1;
    const prefix = `reports/${period}/r${revision}/`;
    const manifest = {
      period, revision, cutoff: cutoff.toISOString(), codeVersion: deps.serviceVersion,
      eventsApplied: snapshot.eventsApplied, logPositions: snapshot.positions,
      files: Object.fromEntries(Object.entries(files).map(([name, body]) => [name, { sha256: sha256(body), bytes: Buffer.byteLength(body) }])),
      rows: rows.length,
    };
    await deps.store.put(`${prefix}cells.csv`, files['cells.csv'], 'text/csv; charset=utf-8');
    await deps.store.put(`${prefix}cells.json`, files['cells.json'], 'application/json');
    // The manifest goes last: a prefix without one is an interrupted run, never a publication.
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    await deps.store.put(`${prefix}manifest.json`, manifestText, 'application/json');
    await client.query(
      `INSERT INTO publish.publications (period, revision, cutoff, prefix, content_sha256, manifest) VALUES ($1, $2, $3, $4, $5, $6)`,
      [period, revision, cutoff, prefix, contentSha256, manifestText]);
    return { period, revision, prefix, unchanged: false };
  }, 'repeatable read'));
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
      WHERE $1::text IS NULL OR period = $1 ORDER BY period, revision`, [period ?? null]);
  return rows.map((r) => ({ period: r.period, revision: r.revision, cutoff: r.cutoff.toISOString(), prefix: r.prefix, publishedAt: r.published_at.toISOString() }));
}
