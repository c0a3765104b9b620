// Makes a checked submission durable before it is acknowledged: accepted events to the raw
// topic, refusals (each keeping its original) to the refused topic, the exact bytes received to
// the raw archive, and then the receipt to PostgreSQL with the count accepted in the submission's
// progress (a publication waits for that many to be processed). All must succeed before the 202;
// the receipt goes last so that it never counts events the log does not hold.
import { z } from 'zod';
import type { Bus } from '@vawg/bus';
import type { Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import type { FailureRecord, RawMessage, Topics } from '@vawg/contracts';
import { CompletenessTally, completenessUpsert } from '@vawg/pipeline';
import type { LineOutcome } from './check-lines.ts';

/** The 202 answer to POST /v1/events, line by line (also described in the API: api-description.ts). */
export const receiptSchema = z.object({
  submissionId: z.guid(),
  force: z.string(),
  receivedAt: z.iso.datetime(),
  lines: z.number().int().min(0),
  accepted: z.number().int().min(0),
  refused: z.number().int().min(0),
  results: z.array(z.discriminatedUnion('status', [
    z.object({ line: z.number().int().min(1), eventId: z.string(), status: z.literal('accepted') }),
    z.object({
      line: z.number().int().min(1), eventId: z.string().nullable(), status: z.literal('refused'),
      code: z.string().describe('The rule code, such as payload.victim.sex.invalid (every code: contracts/README.md)'), message: z.string(),
    }),
  ])),
});

export type Receipt = z.infer<typeof receiptSchema>;

export interface Submission {
  submissionId: string;
  force: string;
  /** The credential that sent it. */
  credentialId?: string;
  receivedAt: Date;
  body: Buffer;
  mediaType: 'ndjson' | 'json';
  outcomes: LineOutcome[];
}

export interface SubmitDeps {
  bus: Bus;
  pool: Pool;
  store: ObjectStore;
  topics: Topics;
  serviceVersion: string;
}

export function receiptOf(s: Submission): Receipt {
  const results = s.outcomes.map((o) => o.status === 'accepted'
    ? { line: o.line, eventId: o.eventId, status: o.status }
    : { line: o.line, eventId: o.eventId, status: o.status, code: o.refusal.code, message: o.refusal.message });
  const accepted = s.outcomes.filter((o) => o.status === 'accepted').length;
  return {
    submissionId: s.submissionId, force: s.force, receivedAt: s.receivedAt.toISOString(),
    lines: s.outcomes.length, accepted, refused: s.outcomes.length - accepted, results,
  };
}

export function archiveKey(s: Submission): string {
  const day = s.receivedAt.toISOString().slice(0, 10);
  return `raw/${s.force}/${day}/${s.submissionId}.${s.mediaType === 'ndjson' ? 'ndjson' : 'json'}`;
}

export function createSubmitStep(deps: SubmitDeps) {
  return async function submit(s: Submission): Promise<Receipt> {
    const receivedAt = s.receivedAt.toISOString();
    const raw: string[] = [];
    const refused: string[] = [];
    for (const o of s.outcomes) {
      if (o.status === 'accepted') {
        const message: RawMessage = { v: 1, submissionId: s.submissionId, line: o.line, force: s.force, receivedAt, event: o.event };
        raw.push(JSON.stringify(message));
      } else {
        const record: FailureRecord = {
          type: 'failure.ingest', v: 1, submissionId: s.submissionId, line: o.line, force: s.force, receivedAt,
          eventId: o.eventId, code: o.refusal.code, message: o.refusal.message, original: o.original,
          refusedAt: receivedAt, serviceVersion: deps.serviceVersion,
        };
        refused.push(JSON.stringify(record));
      }
    }
    const receipt = receiptOf(s);
    const key = archiveKey(s);
    // What each force-dataset-month received, and how much of it was refused here.
    const cells = new CompletenessTally();
    for (const o of s.outcomes) {
      const value = o.status === 'accepted' ? o.event : o.original;
      // Arrival is of what was accepted: a month whose every line was refused has not arrived.
      cells.add(s.force, value, 'received', 1, o.status === 'accepted' ? receivedAt : undefined);
      if (o.status === 'refused') cells.add(s.force, value, 'refused');
    }
    const completeness = completenessUpsert(cells, '$9');
    await Promise.all([
      deps.bus.publish(deps.topics.raw, raw.map((value) => ({ key: s.force, value }))),
      deps.bus.publish(deps.topics.refused, refused.map((value) => ({ key: s.force, value }))),
      deps.store.put(key, s.body, s.mediaType === 'ndjson' ? 'application/x-ndjson' : 'application/json'),
    ]);
    // One statement, so the receipt, its progress and the completeness counts are one commit.
    await deps.pool.query(
      `WITH receipt AS (
         INSERT INTO ingest.submissions (submission_id, force, received_at, lines, accepted, refused, archive_key, receipt, credential_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10)),
       cells AS (${completeness?.sql ?? 'SELECT $9::text'})
       INSERT INTO pipeline.progress (submission_id, stage, outcome, force, received_at, n)
       SELECT $1, 'ingest', 'accepted', $2, $3, $5 WHERE $5 > 0`,
      [s.submissionId, s.force, s.receivedAt, receipt.lines, receipt.accepted, receipt.refused, key, JSON.stringify(receipt), completeness?.value ?? null, s.credentialId ?? null],
    );
    return receipt;
  };
}
