// RFC 9457 problem documents: every error a client sees is one of these, never a stack trace.
import type { FastifyReply } from 'fastify';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

/** `type` is a relative URI reference: the slug is stable and documented in the ingest README. */
export function problem(status: number, slug: string, title: string, detail: string): Problem {
  return { type: `/problems/${slug}`, title, status, detail };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}
