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
      sha256: z.string().describe('The SHA-256 of the line as sent (an element of a JSON array: its text as sent, without the space around it), to find it in your own system'),
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
    : { line: o.line, eventId: o.eventId, status: o.status, sha256: o.sha256, code: o.refusal.code, message: o.refusal.message });
  const accepted = s.outcomes.filter((o) => o.status === 'accepted').length;
  return {
    submissionId: s.submissionId, force: s.force, receivedAt: s.receivedAt.toISOString(),
    lines: s.outcomes.length, accepted, refused: s.outcomes.length - accepted, results,
  };
}

/** Where the archive of a submission is kept; `.ndjson` when it is, or had to be rewritten as, NDJSON. */
export function archiveKey(s: Submission): string {
  const day = s.receivedAt.toISOString().slice(0, 10);
  const ndjson = s.mediaType === 'ndjson' || s.outcomes.some((o) => o.status === 'refused');
  return `raw/${s.force}/${day}/${s.submissionId}.${ndjson ? 'ndjson' : 'json'}`;
}

/**
 * What the raw archive keeps of a submission: the exact bytes received when every line was
 * accepted. Otherwise one line per line received: an accepted line as sent (an element of a JSON
 * array: its text), a refused one only as its line number, code and SHA-256, so that no
 * refused line (which may hold personal data the checks did not recognise) outlives the refusals'
 * retention in the archive, and no replay of it could accept what was refused.
 */
export function archiveBody(s: Submission): { body: Buffer; contentType: string } {
  if (!s.outcomes.some((o) => o.status === 'refused')) {
    return { body: s.body, contentType: s.mediaType === 'ndjson' ? 'application/x-ndjson' : 'application/json' };
  }
  const parts: Buffer[] = [];
  for (const o of s.outcomes) {
    parts.push(o.status === 'accepted' ? o.bytes : Buffer.from(JSON.stringify({ refused: { line: o.line, code: o.refusal.code, sha256: o.sha256 } })), NEWLINE);
  }
  return { body: Buffer.concat(parts), contentType: 'application/x-ndjson' };
}

const NEWLINE = Buffer.from('\n');

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
          eventId: o.eventId, code: o.refusal.code, message: o.refusal.message, original: o.original, originalSha256: o.sha256,
          refusedAt: receivedAt, serviceVersion: deps.serviceVersion,
        };
        refused.push(JSON.stringify(record));
      }
    }
    const receipt = receiptOf(s);
    const key = archiveKey(s);
    const archived = archiveBody(s);
    // What each force-dataset-month received, and how much of it was refused here.
    const cells = new CompletenessTally();
    for (const o of s.outcomes) {
      const value = o.status === 'accepted' ? o.event : o.value;
      // Arrival is of what was accepted: a month whose every line was refused has not arrived.
      cells.add(s.force, value, 'received', 1, o.status === 'accepted' ? receivedAt : undefined);
      if (o.status === 'refused') cells.add(s.force, value, 'refused');
    }
    const completeness = completenessUpsert(cells, '$9');
    await Promise.all([
      deps.bus.publish(deps.topics.raw, raw.map((value) => ({ key: s.force, value }))),
      deps.bus.publish(deps.topics.refused, refused.map((value) => ({ key: s.force, value }))),
      deps.store.put(key, archived.body, archived.contentType),
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
