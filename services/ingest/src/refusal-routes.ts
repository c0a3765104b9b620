// What a force reads back: its refusals (GET /v1/refusals) and the contract (GET /v1/contracts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { problem, sendProblem } from '@vawg/http';
import { contractsJsonSchema, forceIdTuple } from '@vawg/contracts';
import type { Pool } from '@vawg/db';

/** A page holds at most this many bytes of refusals (each original is up to 64 KiB): then `next`. */
export const PAGE_BYTES = 1024 * 1024;

export const refusalsQuery = z.strictObject({
  since: z.iso.datetime({ offset: true }).refine((v) => Number(v.slice(0, 4)) >= 1970, 'an instant from 1970 on').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  force: z.enum(forceIdTuple).optional(),
  /** Where the previous page ended: its `next`, as it came. */
  after: z.string().max(200).optional(),
});

interface Cursor { refusedAt: string; submissionId: string; line: number; stage: string }
/** An instant PostgreSQL and JavaScript both hold: 1970 to 9999. */
const instant = z.iso.datetime({ offset: true }).refine((v) => Number(v.slice(0, 4)) >= 1970 && !Number.isNaN(Date.parse(v)), 'an instant from 1970 on');
const cursorShape = z.strictObject({
  refusedAt: instant, submissionId: z.guid(), line: z.number().int().min(0).max(2_147_483_647), stage: z.enum(['ingest', 'validate']),
});

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(text: string): Cursor | null {
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** What GET /v1/refusals answers (also described in the API: api-description.ts). */
export const refusalsResponse = z.object({
  refusals: z.array(z.object({
    force: z.string(),
    eventId: z.string().nullable(),
    code: z.string().describe('The rule code (every code: contracts/README.md)'),
    message: z.string(),
    stage: z.string().describe('Which stage refused it: ingest, or validate after acceptance'),
    submissionId: z.guid(),
    line: z.number().int(),
    receivedAt: z.iso.datetime(),
    refusedAt: z.iso.datetime(),
    original: z.unknown().describe('The line as sent, with personal data masked ([email], [phone], …; an unknown field\'s value not kept): the event, or the text of a line that was not JSON. Null once past the retention period (REFUSED_RETENTION_DAYS, 90 days by default)'),
    sha256: z.string().nullable().describe('The SHA-256 of the line as sent (an element of a JSON array: its text as sent, without the space around it); null for refusals by validate, and for those kept before it was recorded'),
  })).describe('Newest first'),
  next: z.string().nullable().describe('More refusals are older than this page: ask again with `after=` this; null on the last page'),
});

interface RefusalRow {
  force: string; submission_id: string; line: number; stage: string; event_id: string | null; code: string; message: string;
  original: string | null; original_sha256: string | null; received_at: Date; refused_at: Date;
}

export function registerRefusalRoutes(app: FastifyInstance, pool: Pool): void {
  app.get('/v1/refusals', async (request, reply) => {
    const principal = request.principal;
    const parsed = refusalsQuery.safeParse(request.query);
    if (!principal) return sendProblem(reply, problem(401, 'unauthorized', 'Unauthorized', 'send a credential'));
    if (!parsed.success) {
      return sendProblem(reply, problem(400, 'bad-query', 'Bad query', `${parsed.error.issues[0]?.path.join('.') ?? 'query'}: ${parsed.error.issues[0]?.message ?? 'invalid'} (since: an ISO 8601 instant; limit: 1 to 1000; after: a page's next)`));
    }
    const after = parsed.data.after === undefined ? null : decodeCursor(parsed.data.after);
    if (parsed.data.after !== undefined && !after) return sendProblem(reply, problem(400, 'bad-query', 'Bad query', 'after: not a cursor this API gave (use `next` of the previous page as it came)'));
    // A force reads its own refusals only; an operator reads any force's, or all.
    const force = principal.role === 'force' ? principal.force : parsed.data.force ?? null;
    // An operator's reads of forces' refusals are on record: who, when, whose.
    if (principal.role === 'operator' && principal.credentialId) {
      await pool.query('INSERT INTO ingest.access_log (credential_id, route, force, detail) VALUES ($1, $2, $3, $4)',
        [principal.credentialId, '/v1/refusals', force, JSON.stringify({ since: parsed.data.since ?? null, after: parsed.data.after ?? null, limit: parsed.data.limit })]);
    }
    // Newest first, by a key no two refusals share, so a page starts exactly where the last ended.
    const { rows } = await pool.query<RefusalRow>(
      `SELECT force, submission_id, line, stage, event_id, code, message, original, original_sha256, received_at, refused_at FROM ingest.refusals
        WHERE ($1::text IS NULL OR force = $1) AND ($2::timestamptz IS NULL OR refused_at >= $2)
          AND ($4::timestamptz IS NULL OR (refused_at, submission_id, line, stage) < ($4, $5::uuid, $6::int, $7::text))
        ORDER BY refused_at DESC, submission_id DESC, line DESC, stage DESC LIMIT $3`,
      [force, parsed.data.since ?? null, parsed.data.limit + 1, after?.refusedAt ?? null, after?.submissionId ?? null, after?.line ?? null, after?.stage ?? null]);
    // At most `limit` refusals and about PAGE_BYTES of them (always one at least): then `next`.
    const page: RefusalRow[] = [];
    let bytes = 0;
    for (const r of rows.slice(0, parsed.data.limit)) {
      const size = (r.original?.length ?? 4) + r.message.length;
      if (page.length > 0 && bytes + size > PAGE_BYTES) break;
      page.push(r);
      bytes += size;
    }
    const last = page.at(-1);
    const more = page.length < rows.length;
    const body: z.infer<typeof refusalsResponse> = {
      refusals: page.map((r) => ({
        force: r.force, eventId: r.event_id, code: r.code, message: r.message, stage: r.stage,
        submissionId: r.submission_id, line: r.line, receivedAt: r.received_at.toISOString(), refusedAt: r.refused_at.toISOString(),
        original: r.original === null ? null : JSON.parse(r.original) as unknown, sha256: r.original_sha256,
      })),
      next: more && last ? encodeCursor({ refusedAt: last.refused_at.toISOString(), submissionId: last.submission_id, line: last.line, stage: last.stage }) : null,
    };
    return body;
  });
}

/** The contract is public: a force's tooling needs it before it holds a credential. */
export function registerContractRoute(app: FastifyInstance): void {
  const schema = contractsJsonSchema();
  app.get('/v1/contracts', (_request, reply) => reply.type('application/schema+json').send(schema));
}
