// Keeps every failure record of the refused topic in PostgreSQL, for GET /v1/refusals.
import type { Batch, Bus } from '@vawg/bus';
import { databaseAnswers, withTransaction, type Pool, type PoolClient } from '@vawg/db';
import { failureRecord, type FailureRecord, type Topics } from '@vawg/contracts';
import type { Logger } from '@vawg/log';
import type { Registry } from '@vawg/metrics';
import { claimRedrives, createDeadLetterWriter, createStageRunner, PoisonMessage, type RunningStage } from '@vawg/pipeline';

export function decodeFailure(value: Buffer): FailureRecord | null {
  try {
    const parsed = failureRecord.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** PostgreSQL text cannot hold NUL; a sender's bytes quoted in a message must not block the store. */
const text = (value: string) => value.replaceAll('\u0000', '\\u0000');
const optionalText = (value: string | null) => (value === null ? null : text(value));

export async function storeRefusals(pool: Pool | PoolClient, records: readonly FailureRecord[]): Promise<void> {
  if (records.length === 0) return;
  const column = <T>(pick: (r: FailureRecord) => T) => records.map(pick);
  await pool.query(
    `INSERT INTO ingest.refusals (force, submission_id, line, stage, event_id, code, message, original, received_at, refused_at, service_version, original_sha256)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], $11::text[], $12::text[])
     ON CONFLICT DO NOTHING`,
    [column((r) => r.force), column((r) => r.submissionId), column((r) => r.line), column((r) => r.type.replace(/^failure\./, '')),
      column((r) => optionalText(r.eventId)), column((r) => text(r.code)), column((r) => text(r.message)), column((r) => JSON.stringify(r.original) ?? 'null'),
      column((r) => r.receivedAt), column((r) => r.refusedAt), column((r) => r.serviceVersion), column((r) => r.originalSha256 ?? null)]);
}

/**
 * Deletes the originals of refusals older than the retention period, a few thousand rows a
 * statement so no sweep holds locks for long; the rest of each refusal (code, message, hash) stays.
 */
export async function deleteExpiredOriginals(pool: Pool, retentionMs: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `UPDATE ingest.refusals SET original = NULL
        WHERE ctid = ANY (ARRAY(SELECT ctid FROM ingest.refusals WHERE original IS NOT NULL AND refused_at < now() - make_interval(secs => $1) LIMIT 5000))`,
      [retentionMs / 1000]);
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < 5000) return deleted;
  }
}

const SWEEP_INTERVAL_MS = 3_600_000;

export interface RefusalStoreDeps {
  bus: Bus;
  pool: Pool;
  topics: Topics;
  log: Logger;
  registry: Registry;
  serviceVersion: string;
}

/** The refusal store as a stage: positions on the bus (its inserts are idempotent), failures through the stage runner. */
export async function startRefusalStore(deps: RefusalStoreDeps): Promise<RunningStage> {
  const runner = createStageRunner({
    stage: 'refusals',
    handle: (batch: Batch) => withTransaction(deps.pool, async (client) => {
      const skip = await claimRedrives(client, 'refusals', batch.messages);
      const records: FailureRecord[] = [];
      for (const m of batch.messages) {
        if (skip.has(m.offset)) continue;
        const record = decodeFailure(m.value);
        if (!record) throw new PoisonMessage(m.offset, 'not a failure record v1');
        records.push(record);
      }
      await storeRefusals(client, records);
    }),
    deadLetter: createDeadLetterWriter({ stage: 'refusals', pool: deps.pool, bus: deps.bus, topic: deps.topics.deadLetter, serviceVersion: deps.serviceVersion, registry: deps.registry, log: deps.log }),
    healthy: async () => (await databaseAnswers(deps.pool)) && (await deps.bus.ping()),
    log: deps.log,
    registry: deps.registry,
  });
  const subscription = await deps.bus.subscribe({ groupId: refusalsGroup(deps.topics), topics: [deps.topics.refused], handler: runner.handler });
  // Refused originals outlive their retention by an hour at most.
  const sweep = () => {
    deleteExpiredOriginals(deps.pool, deps.topics.refusedRetentionMs)
      .then((n) => { if (n > 0) deps.log.info({ deleted: n }, 'refusals: originals past their retention deleted'); })
      .catch((error: unknown) => deps.log.warn({ err: error }, 'refusals: retention sweep failed; next in an hour'));
  };
  sweep();
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();
  return {
    ready: () => runner.ready(),
    watch: { stage: 'refusals', topic: deps.topics.refused, positions: () => deps.bus.committedOffsets(refusalsGroup(deps.topics), deps.topics.refused) },
    async stop() {
      clearInterval(sweeper);
      runner.stop();
      await subscription.stop();
    },
  };
}

export const refusalsGroup = (topics: Topics) => `${topics.prefix}.refusals`;
