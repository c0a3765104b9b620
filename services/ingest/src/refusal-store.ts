// Keeps every failure record of the refused topic in PostgreSQL, for GET /v1/refusals.
import type { Batch, Bus, Subscription } from '@vawg/bus';
import type { Pool } from '@vawg/db';
import { failureRecord, type FailureRecord, type Topics } from '@vawg/contracts';
import type { Logger } from '@vawg/log';

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

export async function storeRefusals(pool: Pool, records: readonly FailureRecord[]): Promise<void> {
  if (records.length === 0) return;
  const column = <T>(pick: (r: FailureRecord) => T) => records.map(pick);
  await pool.query(
    `INSERT INTO ingest.refusals (force, submission_id, line, stage, event_id, code, message, original, received_at, refused_at, service_version)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], $11::text[])
     ON CONFLICT DO NOTHING`,
    [column((r) => r.force), column((r) => r.submissionId), column((r) => r.line), column((r) => r.type.replace(/^failure\./, '')),
      column((r) => optionalText(r.eventId)), column((r) => text(r.code)), column((r) => text(r.message)), column((r) => JSON.stringify(r.original) ?? 'null'),
      column((r) => r.receivedAt), column((r) => r.refusedAt), column((r) => r.serviceVersion)]);
}

export function startRefusalStore(deps: { bus: Bus; pool: Pool; topics: Topics; log: Logger }): Promise<Subscription> {
  return deps.bus.subscribe({
    groupId: `${deps.topics.prefix}.refusals`,
    topics: [deps.topics.refused],
    handler: async (batch: Batch) => {
      const records: FailureRecord[] = [];
      for (const m of batch.messages) {
        const record = decodeFailure(m.value);
        if (record) records.push(record);
        else deps.log.error({ topic: m.topic, partition: m.partition, offset: m.offset }, 'refusal store: not a failure record; skipped');
      }
      await storeRefusals(deps.pool, records);
    },
  });
}
