// Makes a checked submission durable before it is acknowledged: accepted events to the raw
// topic, refusals (each keeping its masked original) to the refused topic, the batch to the raw
// archive (accepted events as checked, refused lines as their hash), and then the receipt to PostgreSQL with the count accepted in the submission's
// progress (a publication waits for that many to be processed). All must succeed before the 202;
// the receipt goes last so that it never counts events the log does not hold.
import { z } from 'zod';
import type { Bus } from '@vawg/bus';
import type { Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import { sha256Hex, type FailureRecord, type RawMessage, type Topics } from '@vawg/contracts';
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
  /** The body as received: only its SHA-256 is kept. */
  body: Buffer;
  outcomes: LineOutcome[];
}

export interface SubmitDeps {
  bus: Bus;
  pool: Pool;
  store: ObjectStore;
  topics: Topics;
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

/** Where the archive of a submission is kept. */
export function archiveKey(s: Pick<Submission, 'force' | 'receivedAt' | 'submissionId'>): string {
  const day = s.receivedAt.toISOString().slice(0, 10);
  return `raw/${s.force}/${day}/${s.submissionId}.ndjson`;
}

/** A submission made ready to be written: every message serialised, the archive and the receipt built. */
export interface PreparedSubmission {
  submission: Submission;
  raw: string[];
  refused: string[];
  receipt: Receipt;
  archive: Buffer;
  completeness: ReturnType<typeof completenessUpsert>;
}

/**
 * Serialises a submission, yielding every few lines for the fair scheduler (fair-share.ts): the
 * raw messages, the failure records, the completeness counts, and the archive. The archive keeps
 * one line per line received: an accepted event as checked (re-serialised from what the contract
 * read, so a duplicate key's discarded value or any byte the contract did not read is not kept),
 * a refused line only as its line number, code and SHA-256, so that no refused line (which may
 * hold personal data the checks did not recognise) outlives the refusals' retention, and no
 * replay of the archive could accept what was refused. ingest.submissions keeps the SHA-256 of
 * the body as received.
 */
export function* prepareSubmission(s: Submission, serviceVersion: string): Generator<void, PreparedSubmission> {
  const receivedAt = s.receivedAt.toISOString();
  const raw: string[] = [];
  const refused: string[] = [];
  const archive: string[] = [];
  // What each force-dataset-month received, and how much of it was refused here.
  const cells = new CompletenessTally();
  for (const [i, o] of s.outcomes.entries()) {
    if (o.status === 'accepted') {
      const message: RawMessage = { v: 1, submissionId: s.submissionId, line: o.line, force: s.force, receivedAt, event: o.event };
      raw.push(JSON.stringify(message));
      archive.push(JSON.stringify(o.event));
      // Arrival is of what was accepted: a month whose every line was refused has not arrived.
      cells.add(s.force, o.event, 'received', 1, receivedAt);
    } else {
      const record: FailureRecord = {
        type: 'failure.ingest', v: 1, submissionId: s.submissionId, line: o.line, force: s.force, receivedAt,
        eventId: o.eventId, code: o.refusal.code, message: o.refusal.message, original: o.original, originalSha256: o.sha256,
        refusedAt: receivedAt, serviceVersion,
      };
      refused.push(JSON.stringify(record));
      archive.push(JSON.stringify({ refused: { line: o.line, code: o.refusal.code, sha256: o.sha256 } }));
      cells.add(s.force, o.value, 'received');
      cells.add(s.force, o.value, 'refused');
    }
    if (i % 200 === 199) yield;
  }
  const receipt = receiptOf(s);
  yield;
  return { submission: s, raw, refused, receipt, archive: Buffer.from(`${archive.join('\n')}\n`), completeness: completenessUpsert(cells, '$9') };
}

export function createSubmitStep(deps: SubmitDeps) {
  return async function submit(prepared: PreparedSubmission): Promise<Receipt> {
    const { submission: s, raw, refused, receipt, archive, completeness } = prepared;
    const key = archiveKey(s);
    await Promise.all([
      deps.bus.publish(deps.topics.raw, raw.map((value) => ({ key: s.force, value }))),
      deps.bus.publish(deps.topics.refused, refused.map((value) => ({ key: s.force, value }))),
      deps.store.put(key, archive, 'application/x-ndjson'),
    ]);
    // One statement, so the receipt, its progress and the completeness counts are one commit.
    await deps.pool.query(
      `WITH receipt AS (
         INSERT INTO ingest.submissions (submission_id, force, received_at, lines, accepted, refused, archive_key, receipt, credential_id, body_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, $11)),
       cells AS (${completeness?.sql ?? 'SELECT $9::text'})
       INSERT INTO pipeline.progress (submission_id, stage, outcome, force, received_at, n)
       SELECT $1, 'ingest', 'accepted', $2, $3, $5 WHERE $5 > 0`,
      [s.submissionId, s.force, s.receivedAt, receipt.lines, receipt.accepted, receipt.refused, key, JSON.stringify(receipt), completeness?.value ?? null, s.credentialId ?? null, sha256Hex(s.body)],
    );
    return receipt;
  };
}
