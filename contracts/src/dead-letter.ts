// A message a stage could not process after its retries: kept whole with where it came from, the
// stage, the error and the attempts, in one versioned record whatever the stage (Snowplow's bad
// rows, PostHog's dead-letter queue). `vawg dead-letters` lists them; `vawg redrive` sends the
// original back to where it came from once the cause is fixed.
import { z } from 'zod';

/** The stages that consume a topic, and so can dead-letter what they read. */
export const stages = ['validate', 'aggregate', 'refusals'] as const;
export type Stage = (typeof stages)[number];

export const deadLetterRecord = z.strictObject({
  type: z.literal('dead-letter'),
  v: z.literal(1),
  /** `<stage>:<topic>:<partition>:<offset>`: one message dead-lettered by one stage is one letter. */
  id: z.string(),
  stage: z.enum(stages),
  /** The message's key, which is the force for every topic of ours. */
  force: z.string().nullable(),
  /** From the message when it could be read that far: the submission and line it came in. */
  submissionId: z.string().nullable(),
  line: z.number().int().nullable(),
  receivedAt: z.string().nullable(),
  source: z.strictObject({
    topic: z.string(),
    partition: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    key: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    timestamp: z.number(),
  }),
  /** The message's bytes: as text when they are UTF-8 (ours always are), else base64. */
  original: z.strictObject({ encoding: z.enum(['utf8', 'base64']), data: z.string() }),
  error: z.strictObject({ name: z.string(), message: z.string(), code: z.string().nullable() }),
  attempts: z.number().int().positive(),
  firstFailedAt: z.iso.datetime(),
  deadLetteredAt: z.iso.datetime(),
  /** The letter this message was a redrive of, when it failed again. */
  redriveOf: z.string().nullable(),
  serviceVersion: z.string(),
});
export type DeadLetterRecord = z.infer<typeof deadLetterRecord>;

/** The header a redriven message carries: the id of the letter it re-sends. */
export const REDRIVE_HEADER = 'vawg-redrive-of';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

export interface DeadLetterCause {
  stage: Stage;
  error: unknown;
  attempts: number;
  firstFailedAt: Date;
  at: Date;
  serviceVersion: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const UUID = /"submissionId"\s*:\s*"([0-9a-f-]{36})"/i;
const LINE = /"line"\s*:\s*(\d{1,9})\b/;
const RECEIVED = /"receivedAt"\s*:\s*"([^"]{10,40})"/;

function textOf(value: Buffer): string | null {
  try {
    return utf8.decode(value);
  } catch {
    return null;
  }
}

function errorOf(error: unknown): DeadLetterRecord['error'] {
  if (error instanceof Error) {
    const code = 'code' in error && (typeof error.code === 'string' || typeof error.code === 'number') ? String(error.code) : null;
    return { name: error.name, message: error.message.slice(0, 2000), code };
  }
  return { name: 'Error', message: String(error).slice(0, 2000), code: null };
}

/** The letter for one message: what it is (as far as it reads), where it came from, and why. */
export function deadLetterOf(message: DeadLetterSource, cause: DeadLetterCause): DeadLetterRecord {
  const text = textOf(message.value);
  // Found in the text, not parsed: a message that does not parse is the likeliest to be here.
  const submissionId = text ? UUID.exec(text)?.[1]?.toLowerCase() ?? null : null;
  const line = text ? LINE.exec(text)?.[1] : undefined;
  const receivedAt = text ? RECEIVED.exec(text)?.[1] : undefined;
  return {
    type: 'dead-letter',
    v: 1,
    id: `${cause.stage}:${message.topic}:${message.partition}:${message.offset}`,
    stage: cause.stage,
    force: message.key,
    submissionId,
    line: line === undefined ? null : Number(line),
    receivedAt: receivedAt !== undefined && !Number.isNaN(Date.parse(receivedAt)) ? new Date(receivedAt).toISOString() : null,
    source: { topic: message.topic, partition: message.partition, offset: message.offset, key: message.key, headers: message.headers, timestamp: message.timestamp },
    original: text === null ? { encoding: 'base64', data: message.value.toString('base64') } : { encoding: 'utf8', data: text },
    error: errorOf(cause.error),
    attempts: cause.attempts,
    firstFailedAt: cause.firstFailedAt.toISOString(),
    deadLetteredAt: cause.at.toISOString(),
    redriveOf: message.headers[REDRIVE_HEADER] ?? null,
    serviceVersion: cause.serviceVersion,
  };
}

/** The bytes to send again for a letter. */
export function originalBytes(record: Pick<DeadLetterRecord, 'original'>): Buffer {
  return Buffer.from(record.original.data, record.original.encoding === 'utf8' ? 'utf8' : 'base64');
}
