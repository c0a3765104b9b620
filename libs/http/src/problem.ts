// RFC 9457 problem documents: every error a client sees is one of these, never a stack trace.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

/** The schema of every error body (and of the API's description: libs/http/src/openapi.ts). */
export const problemSchema = z.object({
  type: z.string().describe('A stable code, `/problems/<slug>` (every slug: services/ingest/README.md)'),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string().describe('What went wrong and what to do, in words'),
}).describe('An RFC 9457 problem document');

export type Problem = z.infer<typeof problemSchema>;

/** `type` is a relative URI reference: the slug is stable and documented in the ingest README. */
export function problem(status: number, slug: string, title: string, detail: string): Problem {
  return { type: `/problems/${slug}`, title, status, detail };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}
