// The force-facing HTTP API of ingest (operations.md). Routes decide; steps do the work.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { defaultFairShare, EventBuckets, FairScheduler, Slots, type FairShareLimits } from './fair-share.ts';
import { z } from 'zod';
import { problem, sendProblem } from '@vawg/http';
import type { Counter } from '@vawg/metrics';
import { checkingLines, findForeignForce } from './check-lines.ts';
import { checkCitedDocuments } from './check-documents.ts';
import { jsonArrayLines, MAX_BODY_BYTES, ndjsonLines } from './decode-body.ts';
import { prepareSubmission, type PreparedSubmission, type Receipt } from './submit.ts';
import type { Pool } from '@vawg/db';
import { readSubmissionProgress } from '@vawg/pipeline';

export interface RouteDeps {
  /** Each force's fair share of POST /v1/events (fair-share.ts). */
  fairShare?: FairShareLimits;
  authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  submit: (s: PreparedSubmission) => Promise<Receipt>;
  serviceVersion: string;
  deadlineMs: number;
  pool: Pool;
  events: Counter<'status'>;
}

/**
 * The submission's answer within the deadline, else a rejection: the sender hears 503 and sends
 * again (events are deduplicated), rather than waiting on a dependency that does not answer.
 * Work still in flight may finish later; nothing is acknowledged that was not durable.
 */
function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not durable within ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** GET /v1/submissions/{id}'s path (also described in the API: api-description.ts). */
export const submissionParams = z.object({ id: z.guid().describe('The submissionId of a receipt') });

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  // Bodies are read as bytes and decoded here, line by line, so a bad line is a per-line refusal.
  // Any other media type is answered 415 by fastify itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/x-ndjson'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.decorateRequest('principal', null);
  // The credential before the body: an unknown sender is answered 401 before a byte of it is read.
  app.addHook('onRequest', deps.authenticate);

  const limits = deps.fairShare ?? defaultFairShare;
  const inProgress = new Slots(limits.requests);
  const buckets = new EventBuckets(limits.events);
  const cpu = new FairScheduler();
  const busy = (reply: FastifyReply, retryAfterSeconds: number, detail: string) => {
    reply.header('retry-after', String(retryAfterSeconds));
    return sendProblem(reply, problem(429, 'too-many-requests', 'Too many requests', detail));
  };
  /** A force's batches in progress at once are bounded, before its body is read: the others' go on. */
  const takeSlot = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = request.principal;
    if (principal?.role !== 'force') return;
    const release = inProgress.take(principal.force);
    if (!release) {
      reply.header('connection', 'close');
      await busy(reply, 1, `${principal.force} has ${limits.requests.perForce} batches in progress (or the service is at its ${limits.requests.total}): send this one when one of them is answered`);
      return;
    }
    // Freed when the handler ends, whatever becomes of its client. Until the handler starts, also
    // when the connection closes (a client gone while its credential was being looked up, or while
    // its body came, never reaches the handler). Once it has started, a client that hangs up does
    // not free the slot while its batch is still being decoded, checked or written.
    const socket = request.raw.socket;
    let started = false;
    let released = false;
    const free = () => {
      if (released) return;
      released = true;
      socket.off('close', onClose);
      release();
    };
    const onClose = () => { if (!started) free(); };
    slots.set(request, { start: () => { started = true; }, free });
    if (socket.destroyed) free();
    else socket.once('close', onClose);
  };
  const slots = new WeakMap<FastifyRequest, { start: () => void; free: () => void }>();
  /** Before the handler runs (a refusal from a hook, an abort while the body came): the slot goes back. */
  const freeSlot = (request: FastifyRequest) => Promise.resolve(slots.get(request)?.free());
  /** The client is gone: nothing will be acknowledged to it, so its batch is not worked on further. */
  const gone = (request: FastifyRequest) => request.raw.socket.destroyed;
  /** The answer to nobody: the batch was not written, nothing acknowledged (the sender resends). */
  const abandoned = (reply: FastifyReply) =>
    sendProblem(reply, problem(503, 'unavailable', 'Not accepted', 'the client went away before the batch was written; nothing was acknowledged'));

  app.post('/v1/events', { bodyLimit: MAX_BODY_BYTES, onRequest: takeSlot, onResponse: freeSlot, onRequestAbort: freeSlot }, async (request, reply) => {
    const slot = slots.get(request);
    slot?.start();
    try {
      return await receiveBatch(request, reply);
    } finally {
      slot?.free();
    }
  });

  async function receiveBatch(request: FastifyRequest, reply: FastifyReply) {
    const principal = request.principal;
    if (principal?.role !== 'force') {
      return sendProblem(reply, problem(403, 'forbidden', 'Forbidden', 'an operator credential reads everything and sends nothing'));
    }
    const claimed = request.headers['x-vawg-force'];
    if (typeof claimed === 'string' && claimed !== principal.force) {
      return sendProblem(reply, problem(403, 'wrong-force', 'Wrong force', `this credential belongs to ${principal.force}, not ${claimed}`));
    }
    const mediaType = request.headers['content-type']?.startsWith('application/x-ndjson') ? 'ndjson' : 'json';
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (body.length === 0) return sendProblem(reply, problem(400, 'malformed-body', 'Malformed body', 'the body is empty'));
    // Decoding and checking take the CPU in this force's turns, a line at a time (fair-share.ts).
    const decoded = await cpu.run(principal.force, mediaType === 'ndjson' ? ndjsonLines(body) : jsonArrayLines(body));
    if (gone(request)) return abandoned(reply);
    if (!decoded.ok) return sendProblem(reply, decoded.problem);
    const allowed = buckets.take(principal.force, decoded.lines.length);
    if (!allowed.ok) {
      return busy(reply, allowed.retryAfterSeconds, `${principal.force} is sending over ${limits.events.rate} events a second: send this batch again in ${allowed.retryAfterSeconds} s (nothing of it was accepted)`);
    }
    const foreign = findForeignForce(decoded.lines, principal.force);
    if (foreign) {
      return sendProblem(reply, problem(403, 'wrong-force', 'Wrong force',
        `line ${foreign.line} is for ${foreign.force}; this credential sends only ${principal.force}'s events. Nothing in this batch was accepted.`));
    }
    const receivedAt = new Date();
    const outcomes = await cpu.run(principal.force, checkingLines(decoded.lines, { force: principal.force, receivedAt }));
    if (gone(request)) return abandoned(reply);
    let receipt: Receipt | null;
    try {
      // The deadline runs from the request's arrival: waiting for the credential or the body counts.
      const left = deps.deadlineMs - reply.elapsedTime;
      if (left <= 0) throw new Error(`not started within ${deps.deadlineMs} ms of arrival`);
      // Returns citing a document this force never uploaded are refused line by line (check-documents.ts).
      receipt = await withinDeadline(checkCitedDocuments(deps.pool, principal.force, outcomes)
        .then((checked) => cpu.run(principal.force, prepareSubmission(
          { submissionId: randomUUID(), force: principal.force, credentialId: principal.credentialId, receivedAt, body, outcomes: checked }, deps.serviceVersion)))
        .then((prepared) => (gone(request) ? null : deps.submit(prepared))), left);
    } catch (error) {
      request.log.error({ err: error }, 'submission could not be made durable');
      return sendProblem(reply, problem(503, 'unavailable', 'Not accepted',
        'the batch could not be stored durably and was not acknowledged; send it again (events are deduplicated by eventId)'));
    }
    if (!receipt) return abandoned(reply);
    deps.events.inc({ status: 'accepted' }, receipt.accepted);
    deps.events.inc({ status: 'refused' }, receipt.refused);
    return reply.code(202).send(receipt);
  }

  app.get<{ Params: { id: string } }>('/v1/submissions/:id', async (request, reply) => {
    const principal = request.principal;
    const notFound = problem(404, 'not-found', 'Not found', 'no such submission for this credential');
    if (!principal || !submissionParams.safeParse(request.params).success) return sendProblem(reply, notFound);
    // The receipt is kept as the text that was sent (a text column since 0002-refusals.sql).
    const { rows } = await deps.pool.query<{ force: string; receipt: string }>(
      'SELECT force, receipt FROM ingest.submissions WHERE submission_id = $1', [request.params.id]);
    const row = rows[0];
    if (!row || (principal.role === 'force' && row.force !== principal.force)) return sendProblem(reply, notFound);
    return { ...(JSON.parse(row.receipt) as Receipt), progress: await readSubmissionProgress(deps.pool, request.params.id) };
  });
}
