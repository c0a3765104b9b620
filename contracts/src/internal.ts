// Messages between our own services. Ours to design (events.md fixes only the boundary);
// each carries a version so a consumer can refuse what it does not understand.
import { z } from 'zod';
import { forceEvent } from './events/index.ts';
import { forceId } from './primitives.ts';

export interface Topics {
  /** Namespace of every topic and consumer group of one deployment. */
  prefix: string;
  /** ingest -> validate: each accepted line as received, keyed by force. */
  raw: string;
  /** validate -> aggregate: events that passed every rule, keyed by force. */
  valid: string;
  /** ingest, validate -> refusals store: failure records, keyed by force. */
  refused: string;
  /** Messages a stage could not process after its retries (dead-letter.ts), kept whole until redriven. */
  deadLetter: string;
  /** publish -> anyone: a `report.published` for each revision written. */
  reports: string;
  /** How long refused lines are kept (the refused topic, ingest.refusals' originals): 90 days unless set. */
  refusedRetentionMs: number;
}

export const DEFAULT_REFUSED_RETENTION_DAYS = 90;

/**
 * Partitions per topic. Messages are keyed by force, so a force's events keep their order and
 * one aggregate row has one writer; 6 leaves room for more consumers than these 2 cores run.
 */
export const TOPIC_PARTITIONS = 6;

/**
 * Every topic but one is kept for ever: raw and valid are the record the aggregates are rebuilt
 * from, dead letters wait for a redrive however long a fix takes, and reports are the history.
 * The refused topic is kept for the refusals' retention period (REFUSED_RETENTION_DAYS).
 */
export function topicSpecs(topics: Topics): { topic: string; partitions: number; keepForever: boolean; retentionMs?: number }[] {
  return [
    ...[topics.raw, topics.valid, topics.deadLetter, topics.reports].map((topic) => ({ topic, partitions: TOPIC_PARTITIONS, keepForever: true })),
    // Refused lines may hold personal data the checks did not recognise: kept only for the retention period.
    { topic: topics.refused, partitions: TOPIC_PARTITIONS, keepForever: false, retentionMs: topics.refusedRetentionMs },
  ];
}

export function topicsFor(prefix: string, options: { refusedRetentionDays?: number } = {}): Topics {
  return {
    refusedRetentionMs: (options.refusedRetentionDays ?? DEFAULT_REFUSED_RETENTION_DAYS) * 86_400_000,
    prefix,
    raw: `${prefix}.raw.v1`,
    valid: `${prefix}.valid.v1`,
    refused: `${prefix}.refused.v1`,
    deadLetter: `${prefix}.dead-letter.v1`,
    reports: `${prefix}.reports.v1`,
  };
}

const receipt = {
  submissionId: z.uuid(),
  /** 1-based line (or array index + 1) of the event in its submission. */
  line: z.number().int().positive(),
  force: forceId,
  receivedAt: z.iso.datetime(),
};

/** ingest -> validate. `event` is the decoded JSON line, not yet trusted. */
export const rawMessage = z.strictObject({ v: z.literal(1), ...receipt, event: z.unknown() });
export type RawMessage = z.infer<typeof rawMessage>;

/** validate -> aggregate. */
export const validMessage = z.strictObject({ v: z.literal(1), ...receipt, event: forceEvent });
export type ValidMessage = z.infer<typeof validMessage>;

/**
 * The frame of a valid message, for its consumers: validate has applied the whole contract to
 * the event, so they check only what they route by.
 */
export const validFrame = z.object({
  v: z.literal(1),
  submissionId: z.string(),
  line: z.number(),
  force: forceId,
  receivedAt: z.iso.datetime({ offset: true }),
  event: z.object({ eventId: z.string(), type: z.string(), force: forceId, occurredAt: z.string(), producedAt: z.string(), payload: z.record(z.string(), z.unknown()) }),
});

/**
 * A refused event, kept whole (Snowplow's "bad row"): one type per stage, versioned, holding
 * everything needed to recover the event once the cause is fixed.
 */
export const failureTypes = ['failure.ingest', 'failure.validate'] as const;
export const failureRecord = z.strictObject({
  type: z.enum(failureTypes),
  v: z.literal(1),
  ...receipt,
  eventId: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  /** The event as sent, personal data masked (redact.ts): the decoded JSON value, or the text of a line that was not JSON. */
  original: z.unknown(),
  /** The SHA-256 of the line exactly as sent (hex), which the force can find in its own system. */
  originalSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  refusedAt: z.iso.datetime(),
  serviceVersion: z.string(),
});
export type FailureRecord = z.infer<typeof failureRecord>;

/** publish's announcement of a revision written, keyed by period. */
export const reportPublished = z.strictObject({
  v: z.literal(1),
  type: z.literal('report.published'),
  period: z.string(),
  revision: z.number().int().positive(),
  cutoff: z.iso.datetime(),
  prefix: z.string(),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
  rowsChanged: z.number().int().nonnegative().nullable(),
});
export type ReportPublished = z.infer<typeof reportPublished>;
