// What a force reads back: its refusals (GET /v1/refusals) and the contract (GET /v1/contracts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { problem, sendProblem } from '@vawg/http';
import { contractsJsonSchema, forceIdTuple } from '@vawg/contracts';
import type { Pool } from '@vawg/db';

export const refusalsQuery = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  force: z.enum(forceIdTuple).optional(),
});

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
    original: z.unknown().describe('The line as sent: the event, or the text of a line that was not JSON'),
  })).describe('Newest first'),
});

interface RefusalRow {
  force: string; submission_id: string; line: number; stage: string; event_id: string | null; code: string; message: string;
  original: string; received_at: Date; refused_at: Date;
}

export function registerRefusalRoutes(app: FastifyInstance, pool: Pool): void {
  app.get('/v1/refusals', async (request, reply) => {
    const principal = request.principal;
    const parsed = refusalsQuery.safeParse(request.query);
    if (!principal) return sendProblem(reply, problem(401, 'unauthorized', 'Unauthorized', 'send a credential'));
    if (!parsed.success) {
      return sendProblem(reply, problem(400, 'bad-query', 'Bad query', `${parsed.error.issues[0]?.path.join('.') ?? 'query'}: ${parsed.error.issues[0]?.message ?? 'invalid'} (since: an ISO 8601 instant; limit: 1 to 10000)`));
    }
    // A force reads its own refusals only; an operator reads any force's, or all.
    const force = principal.role === 'force' ? principal.force : parsed.data.force ?? null;
    const { rows } = await pool.query<RefusalRow>(
      `SELECT force, submission_id, line, stage, event_id, code, message, original, received_at, refused_at FROM ingest.refusals
        WHERE ($1::text IS NULL OR force = $1) AND ($2::timestamptz IS NULL OR refused_at >= $2)
        ORDER BY refused_at DESC, submission_id, line LIMIT $3`,
      [force, parsed.data.since ?? null, parsed.data.limit]);
    const body: z.infer<typeof refusalsResponse> = {
      refusals: rows.map((r) => ({
        force: r.force, eventId: r.event_id, code: r.code, message: r.message, stage: r.stage,
        submissionId: r.submission_id, line: r.line, receivedAt: r.received_at.toISOString(), refusedAt: r.refused_at.toISOString(),
        original: JSON.parse(r.original) as unknown,
      })),
    };
    return body;
  });
}

/** The contract is public: a force's tooling needs it before it holds a credential. */
export function registerContractRoute(app: FastifyInstance): void {
  const schema = contractsJsonSchema();
  app.get('/v1/contracts', (_request, reply) => reply.type('application/schema+json').send(schema));
}
