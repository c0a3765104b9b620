// Dead letters: written by a stage (stage-runner.ts decides when), listed by `vawg dead-letters`,
// and sent back through by `vawg redrive` exactly once in effect: a redriven message carries the
// letter's id, and the stage that processes it marks the letter resolved in the same transaction
// as its work; a second copy of it (a redrive repeated after a crash) finds it resolved and is
// skipped.
import { createHash } from 'node:crypto';
import type { Bus, ConsumedMessage } from '@vawg/bus';
import { z } from 'zod';
import { deadLetterOf, forceIds, originalBytes, REDRIVE_HEADER, stages, type DeadLetterRecord, type Stage } from '@vawg/contracts';
import { withTransaction, type Pool, type PoolClient } from '@vawg/db';
import type { Logger } from '@vawg/log';
import { counter, type Registry } from '@vawg/metrics';
import type { PositionStore } from './positions.ts';
import { ProgressTally, recordProgress, type ProgressStage } from './progress.ts';
import type { Failure } from './stage-runner.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Stages whose outcomes pipeline.progress counts. */
const counted = (stage: Stage): stage is Exclude<Stage, 'refusals'> & ProgressStage => stage === 'validate' || stage === 'aggregate';

function receiptOf(r: { submission_id: string | null; force: string | null; received_at: Date | null }) {
  return r.submission_id && r.force && r.received_at ? { submissionId: r.submission_id, force: r.force, receivedAt: r.received_at.toISOString() } : null;
}

/** Stores a letter (once), counts it, and resolves the letter it was a redrive of. True when new. */
export async function storeDeadLetter(client: PoolClient, record: DeadLetterRecord): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO pipeline.dead_letters (id, stage, force, submission_id, received_at, source_topic, source_partition, source_offset, error, attempts, dead_lettered_at, record, original_sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
    [record.id, record.stage, record.force, record.submissionId, record.receivedAt, record.source.topic, record.source.partition, record.source.offset,
      `${record.error.name}: ${record.error.message}`.replaceAll('\u0000', ''), record.attempts, record.deadLetteredAt, JSON.stringify(record),
      sha256(originalBytes(record))]);
  if (!rowCount) return false;
  const tally = new ProgressTally();
  const receipt = receiptOf({ submission_id: record.submissionId, force: record.force, received_at: record.receivedAt ? new Date(record.receivedAt) : null });
  if (receipt && counted(record.stage)) tally.add(receipt, record.stage, 'dead-lettered', 1);
  if (record.redriveOf) {
    const { rows } = await client.query<{ stage: Stage; submission_id: string | null; force: string | null; received_at: Date | null }>(
      `UPDATE pipeline.dead_letters SET resolved_at = now(), resolution = 'dead-again', superseded_by = $2
        WHERE id = $1 AND resolved_at IS NULL RETURNING stage, submission_id, force, received_at`, [record.redriveOf, record.id]);
    const old = rows[0] ? receiptOf(rows[0]) : null;
    if (rows[0] && old && counted(rows[0].stage)) tally.add(old, rows[0].stage, 'dead-lettered', -1);
  }
  await recordProgress(client, tally);
  return true;
}

/**
 * Of a batch a stage is about to process in a transaction: marks the letters its redriven
 * messages re-send as resolved, and returns the offsets of redriven messages whose letter was
 * already resolved by an earlier copy, which must be skipped.
 */
export async function claimRedrives(client: PoolClient, stage: Stage, messages: readonly ConsumedMessage[]): Promise<Set<number>> {
  const redriven = messages.filter((m) => m.headers[REDRIVE_HEADER]);
  if (redriven.length === 0) return new Set();
  const ids = redriven.map((m) => m.headers[REDRIVE_HEADER]!);
  const { rows } = await client.query<{ id: string; resolved_at: Date | null; submission_id: string | null; force: string | null; received_at: Date | null; original_sha256: string | null }>(
    `SELECT id, resolved_at, submission_id, force, received_at, original_sha256 FROM pipeline.dead_letters WHERE stage = $1 AND id = ANY($2) FOR UPDATE`, [stage, ids]);
  const letters = new Map(rows.map((r) => [r.id, r]));
  const skip = new Set<number>();
  const resolving = new Set<string>();
  const tally = new ProgressTally();
  for (const m of redriven) {
    const id = m.headers[REDRIVE_HEADER]!;
    const letter = letters.get(id);
    // Only the letter's own bytes resolve it: a header on anything else is no redrive.
    if (!letter || (letter.original_sha256 !== null && letter.original_sha256 !== sha256(m.value))) continue;
    if (letter.resolved_at || resolving.has(id)) {
      skip.add(m.offset);
      continue;
    }
    resolving.add(id);
    const receipt = receiptOf(letter);
    if (receipt && counted(stage)) tally.add(receipt, stage, 'dead-lettered', -1);
  }
  if (resolving.size > 0) {
    await client.query(`UPDATE pipeline.dead_letters SET resolved_at = now(), resolution = 'processed' WHERE id = ANY($1)`, [[...resolving]]);
  }
  await recordProgress(client, tally);
  return skip;
}

export interface DeadLetterWriterOptions {
  stage: Stage;
  pool: Pool;
  bus: Bus;
  /** The dead-letter topic: every letter goes there too, for whoever watches it. */
  topic: string;
  serviceVersion: string;
  registry: Registry;
  log: Logger;
  /** The stage's own positions, moved past the letter in the same transaction; none for a stage the bus positions. */
  positions?: PositionStore;
}

/** The `deadLetter` of a stage runner: the topic, then the table (with the position), counted once. */
export function createDeadLetterWriter(o: DeadLetterWriterOptions): (message: ConsumedMessage, failure: Failure) => Promise<void> {
  const total = counter(o.registry, 'vawg_dead_letters_total', 'Messages dead-lettered, by stage and force', ['stage', 'force']);
  return async (message, failure) => {
    const record = deadLetterOf(message, { stage: o.stage, ...failure, at: new Date(), serviceVersion: o.serviceVersion });
    const force = record.force && forceIds.includes(record.force) ? record.force : 'unknown';
    await o.bus.publish(o.topic, [{ key: force, value: JSON.stringify(record) }]);
    const fresh = await withTransaction(o.pool, async (client) => {
      const stored = await storeDeadLetter(client, record);
      await o.positions?.skipPast(client, message.topic, message.partition, message.offset);
      return stored;
    });
    if (fresh) total.inc({ stage: o.stage, force });
  };
}

/**
 * An operator's decision that letters will never be processed (their content is wrong and a
 * correction will be sent, say), with the reason on record: each counts as `discarded` in its
 * submission's progress, and a publication no longer waits for it. A redrive of one in flight is
 * skipped when it arrives.
 */
export async function discardDeadLetters(pool: Pool, ids: readonly string[], reason: string): Promise<DeadLetterSummary[]> {
  const discarded = await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string; stage: Stage; submission_id: string | null; force: string | null; received_at: Date | null }>(
      `UPDATE pipeline.dead_letters SET resolved_at = now(), resolution = 'discarded', note = $2
        WHERE id = ANY($1) AND resolved_at IS NULL RETURNING id, stage, submission_id, force, received_at`, [ids, reason]);
    const tally = new ProgressTally();
    for (const r of rows) {
      const receipt = receiptOf(r);
      if (!receipt || !counted(r.stage)) continue;
      tally.add(receipt, r.stage, 'dead-lettered', -1);
      tally.add(receipt, r.stage, 'discarded');
    }
    await recordProgress(client, tally);
    return rows.map((r) => r.id);
  });
  return listDeadLetters(pool, { ids: discarded, all: true });
}

export interface DeadLetterFilter {
  stage?: string;
  force?: string;
  ids?: string[];
  /** Include letters already resolved. */
  all?: boolean;
  limit?: number;
}

/** A dead letter as listed (`vawg dead-letters`, GET /v1/dead-letters): the schema, and the type from it. */
export const deadLetterSummarySchema = z.object({
  id: z.string(),
  stage: z.enum(stages),
  force: z.string().nullable(),
  submissionId: z.string().nullable(),
  error: z.string(),
  attempts: z.number().int().min(1),
  deadLetteredAt: z.iso.datetime(),
  redrives: z.number().int().min(0),
  redrivenAt: z.iso.datetime().nullable(),
  status: z.enum(['dead', 'redriven', 'processed', 'dead-again', 'discarded']),
  note: z.string().nullable().describe('Why an operator discarded it'),
  supersededBy: z.string().nullable(),
});
export type DeadLetterSummary = z.infer<typeof deadLetterSummarySchema>;

export async function listDeadLetters(pool: Pool, filter: DeadLetterFilter = {}): Promise<DeadLetterSummary[]> {
  const { rows } = await pool.query<{
    id: string; stage: Stage; force: string | null; submission_id: string | null; error: string; attempts: number; dead_lettered_at: Date;
    redrives: number; redriven_at: Date | null; resolution: 'processed' | 'dead-again' | 'discarded' | null; superseded_by: string | null; note: string | null;
  }>(
    `SELECT id, stage, force, submission_id, error, attempts, dead_lettered_at, redrives, redriven_at, resolution, superseded_by, note
       FROM pipeline.dead_letters
      WHERE ($1::text IS NULL OR stage = $1) AND ($2::text IS NULL OR force = $2) AND ($3::text[] IS NULL OR id = ANY($3))
        AND ($4 OR resolved_at IS NULL)
      ORDER BY dead_lettered_at, id LIMIT $5`,
    [filter.stage ?? null, filter.force ?? null, filter.ids ?? null, filter.all ?? false, filter.limit ?? 1000]);
  return rows.map((r) => ({
    id: r.id, stage: r.stage, force: r.force, submissionId: r.submission_id, error: r.error, attempts: r.attempts,
    deadLetteredAt: r.dead_lettered_at.toISOString(), redrives: r.redrives, redrivenAt: r.redriven_at?.toISOString() ?? null,
    status: r.resolution ?? (r.redriven_at ? 'redriven' : 'dead'), supersededBy: r.superseded_by, note: r.note,
  }));
}

/**
 * Sends unresolved letters' originals back to the topics they came from, each with the header
 * naming its letter. Letters already sent and not yet processed are sent again only with `again`.
 * Under row locks (SKIP LOCKED), so two redrives at once never send one letter twice.
 */
export async function redriveDeadLetters(pool: Pool, bus: Bus, filter: DeadLetterFilter & { again?: boolean }): Promise<DeadLetterSummary[]> {
  const chosen = await listDeadLetters(pool, { ...filter, all: false });
  const ids = chosen.filter((l) => filter.again || l.status === 'dead').map((l) => l.id);
  if (ids.length === 0) return [];
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string; record: string }>(
      'SELECT id, record FROM pipeline.dead_letters WHERE id = ANY($1) AND resolved_at IS NULL ORDER BY dead_lettered_at, id FOR UPDATE SKIP LOCKED', [ids]);
    const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
    for (const row of rows) {
      const record = JSON.parse(row.record) as DeadLetterRecord;
      const list = byTopic.get(record.source.topic) ?? [];
      list.push({ key: record.source.key ?? record.force ?? 'unknown', value: originalBytes(record), headers: { ...record.source.headers, [REDRIVE_HEADER]: record.id } });
      byTopic.set(record.source.topic, list);
    }
    // Published before the commit: a crash between sends a letter twice, and its stage skips the second.
    for (const [topic, messages] of byTopic) await bus.publish(topic, messages);
    await client.query('UPDATE pipeline.dead_letters SET redrives = redrives + 1, redriven_at = now() WHERE id = ANY($1)', [rows.map((r) => r.id)]);
    const sent = new Set(rows.map((r) => r.id));
    return chosen.filter((l) => sent.has(l.id));
  });
}
