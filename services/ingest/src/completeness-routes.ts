// GET /v1/completeness (operations.md): a force reads its own grid; an operator reads every
// force's, and may narrow it to one force or one dataset.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { problem, sendProblem } from '@vawg/http';
import { datasets, forceIdTuple } from '@vawg/contracts';
import { readCompleteness } from '@vawg/pipeline';
import type { Pool } from '@vawg/db';

export const completenessQuery = z.strictObject({
  // Years the system can hold: events from 2015-04 on, and not centuries ahead.
  period: z.string().regex(/^(20[1-9]\d-H[12]|20[1-9]\d-(0[1-9]|1[0-2]))$/, 'a half-year such as 2025-H1, or a month such as 2025-04, from 2010 to 2099'),
  force: z.enum(forceIdTuple).optional(),
  dataset: z.enum(datasets).optional(),
});

export function registerCompletenessRoutes(app: FastifyInstance, pool: Pool): void {
  app.get('/v1/completeness', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return sendProblem(reply, problem(401, 'unauthorized', 'Unauthorized', 'send a credential'));
    const parsed = completenessQuery.safeParse(request.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return sendProblem(reply, problem(400, 'bad-query', 'Bad query', `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`));
    }
    const { period, dataset } = parsed.data;
    if (principal.role === 'force' && parsed.data.force && parsed.data.force !== principal.force) {
      return sendProblem(reply, problem(403, 'wrong-force', 'Wrong force', `this credential reads only ${principal.force}'s completeness`));
    }
    const force = principal.role === 'force' ? principal.force : parsed.data.force;
    return readCompleteness(pool, { period, force, dataset });
  });
}
