// What operators read (the console calls these; so can their own tools, with an operator's
// credential): dead letters, the pipeline's lag and throughput, the publications and their files.
// A force's credential gets 403 from each: they tell of every force.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { problem, sendProblem } from '@vawg/http';
import { listDeadLetters } from '@vawg/pipeline';
import type { Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import { deadLettersQuery, publicationFileParams, publicationsResponse, type pipelineResponse, type deadLettersResponse } from './api-description.ts';
import type { PipelineView } from './pipeline-view.ts';

export interface OperatorRouteDeps {
  pool: Pool;
  store: ObjectStore;
  pipeline: PipelineView;
}

/** Answers 403 (and returns false) unless an operator is asking; 401 was answered before, by authenticate. */
function operatorOnly(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.principal?.role === 'operator') return true;
  void sendProblem(reply, problem(403, 'operators-only', 'Operators only',
    "this is for operators: it tells of every force. A force's credential reads its own data at /v1/completeness, /v1/refusals and /v1/submissions/{id}"));
  return false;
}

function badQuery(reply: FastifyReply, error: z.ZodError) {
  const issue = error.issues[0];
  return sendProblem(reply, problem(400, 'bad-query', 'Bad query', `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`));
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * A file's path inside a revision as the route accepts it: at most 4 segments of letters, digits,
 * `.`, `_` and `-`, none starting with a dot (so no `..`), 256 characters in all. The route then
 * serves it only if the revision's manifest lists it.
 */
export function isFilePath(path: string): boolean {
  const segments = path.split('/');
  return path.length <= 256 && segments.length <= 4 && segments.every((s) => SEGMENT.test(s));
}

/** The link to a file of a revision, each segment escaped. */
export const fileHref = (period: string, revision: number, path: string) =>
  `/v1/publications/${encodeURIComponent(period)}/${revision}/files/${path.split('/').map(encodeURIComponent).join('/')}`;

const MEDIA_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', csv: 'text/csv; charset=utf-8', json: 'application/json', pdf: 'application/pdf',
  odt: 'application/vnd.oasis.opendocument.text', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};
/** What a browser may show in place (our own report pages, data as text); anything else is downloaded. */
const SHOWN = new Set(['html', 'csv', 'json']);

/**
 * A report page opened from the console runs no script and loads nothing from elsewhere: its
 * own inline styles and images only. Framing is refused.
 */
export const FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

type Publications = z.infer<typeof publicationsResponse>;

/** publish's tables, read as they are; none before publish has ever run against this database. */
async function readPublications(pool: Pool): Promise<Publications> {
  try {
    const [{ rows }, { rows: runs }] = await Promise.all([
      pool.query<{ period: string; revision: number; status: 'published' | 'writing'; cutoff: Date; published_at: Date | null; completeness: Record<string, unknown> | null; cell_states: Record<string, number> | null; files: Record<string, { bytes: number }> | null }>(
        `SELECT period, revision, status, cutoff, published_at, manifest->'completeness' AS completeness, manifest->'completenessGrid'->'states' AS cell_states, manifest->'files' AS files
           FROM publish.publications ORDER BY period DESC, revision DESC`),
      // The latest run of each period, when it made no revision: failed, or running now.
      pool.query<{ period: string; status: 'failed' | 'running'; trigger: string; cutoff: Date; started_at: Date; finished_at: Date | null; error: string | null }>(
        `SELECT * FROM (SELECT DISTINCT ON (period) period, status, trigger, cutoff, started_at, finished_at, error FROM publish.runs ORDER BY period, id DESC) latest
          WHERE status IN ('failed', 'running') ORDER BY period DESC`),
    ]);
    return {
      publications: rows.map((r) => {
        const files: Publications['publications'][number]['files'] = Object.entries(r.files ?? {}).map(([name, f]) => ({ name, bytes: f.bytes, href: fileHref(r.period, r.revision, name) }));
        if (r.status === 'published') files.push({ name: 'manifest.json', bytes: null, href: fileHref(r.period, r.revision, 'manifest.json') });
        return {
          period: r.period, revision: r.revision, status: r.status, cutoff: r.cutoff.toISOString(), publishedAt: r.published_at?.toISOString() ?? null,
          completeness: r.completeness ? publicationsResponse.shape.publications.element.shape.completeness.parse(r.completeness) : null,
          cellStates: r.cell_states,
          files,
        };
      }),
      runs: runs.map((r) => ({
        period: r.period, status: r.status, trigger: r.trigger, cutoff: r.cutoff.toISOString(), startedAt: r.started_at.toISOString(),
        finishedAt: r.finished_at?.toISOString() ?? null, error: r.error,
      })),
    };
  } catch (error) {
    if ((error as { code?: string }).code === '42P01' || (error as { code?: string }).code === '3F000') return { publications: [], runs: [] };
    throw error;
  }
}

export function registerOperatorRoutes(app: FastifyInstance, deps: OperatorRouteDeps): void {
  app.get('/v1/dead-letters', async (request, reply) => {
    if (!operatorOnly(request, reply)) return reply;
    const parsed = deadLettersQuery.safeParse(request.query);
    if (!parsed.success) return badQuery(reply, parsed.error);
    const body: z.infer<typeof deadLettersResponse> = { deadLetters: (await listDeadLetters(deps.pool, parsed.data)) };
    return reply.header('cache-control', 'no-store').send(body);
  });

  app.get('/v1/pipeline', async (request, reply) => {
    if (!operatorOnly(request, reply)) return reply;
    let body: z.infer<typeof pipelineResponse>;
    try {
      body = await deps.pipeline.health();
    } catch (error) {
      request.log.warn({ err: error }, 'pipeline: could not sample the stages');
      return sendProblem(reply, problem(503, 'unavailable', 'Not available', 'the stages could not be sampled just now (the bus or PostgreSQL did not answer); try again in a moment'));
    }
    return reply.header('cache-control', 'no-store').send(body);
  });

  app.get('/v1/publications', async (request, reply) => {
    if (!operatorOnly(request, reply)) return reply;
    return reply.header('cache-control', 'no-store').send(await readPublications(deps.pool));
  });

  app.get<{ Params: { period: string; revision: string; '*': string } }>('/v1/publications/:period/:revision/files/*', async (request, reply) => {
    if (!operatorOnly(request, reply)) return reply;
    const { period, revision, '*': path } = request.params;
    const notFound = () => sendProblem(reply, problem(404, 'not-found', 'Not found', `no file ${path} in revision ${revision} of ${period}`));
    if (!publicationFileParams.safeParse({ period, revision, path }).success || !isFilePath(path)) return notFound();
    let rows: { prefix: string; listed: boolean }[];
    try {
      ({ rows } = await deps.pool.query<{ prefix: string; listed: boolean }>(
        `SELECT prefix, (manifest->'files') ? $3 AS listed FROM publish.publications WHERE period = $1 AND revision = $2 AND status = 'published'`,
        [period, Number(revision), path]));
    } catch (error) {
      if ((error as { code?: string }).code === '42P01' || (error as { code?: string }).code === '3F000') return notFound();
      throw error;
    }
    // Only what the manifest lists (and the manifest itself): nothing else under the prefix, whatever is there.
    const row = rows[0];
    if (!row || !(row.listed || path === 'manifest.json')) return notFound();
    const object = await deps.store.getStream(`${row.prefix}${path}`);
    if (!object) return notFound();
    const extension = path.split('.').at(-1)!.toLowerCase();
    reply
      .header('content-type', MEDIA_TYPES[extension] ?? 'application/octet-stream')
      .header('content-length', object.bytes)
      .header('content-security-policy', FILE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'private, no-cache');
    if (!SHOWN.has(extension)) reply.header('content-disposition', `attachment; filename="${path.split('/').at(-1)!}"`);
    return reply.send(object.body);
  });
}
