// POST /v1/documents: one document for a return, streamed (operations.md). GET /v1/documents and
// GET /v1/documents/{sha256}: a force's own documents, and no other force's.
// Registered in a scope of its own: the body is handed through as the raw stream, whatever its
// declared type (the bytes decide what it is), and fastify's body limit does not apply to it.
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { problem, sendProblem } from '@vawg/http';
import type { Pool } from '@vawg/db';
import { forceIds } from '@vawg/contracts';
import type { ObjectStore } from '@vawg/store';
import { Slots } from './fair-share.ts';
import { bindDocument, documentKey, MAX_DOCUMENT_BYTES, receiveDocument } from './document-receive.ts';

export interface DocumentRouteDeps {
  authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  pool: Pool;
  store: ObjectStore;
  /** Largest document taken (default 25 MiB). */
  maxBytes?: number;
  /** Uploads in progress at once, per force and in all (default 4 and 16): each holds a 5 MiB part buffer. */
  concurrency?: { perForce: number; total: number };
}

/** The answer to an upload (201 the first time, 200 for the same bytes again): what to cite. */
export const documentReceipt = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of the bytes, lower-case hex: cite it in return.submitted'),
  bytes: z.number().int().min(1),
  mediaType: z.enum(['application/pdf', 'application/vnd.oasis.opendocument.text',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'text/csv']).describe('what the bytes were found to be'),
});
export type DocumentReceipt = z.infer<typeof documentReceipt>;

export const documentList = z.object({
  documents: z.array(documentReceipt.extend({ force: z.string(), uploadedAt: z.string() })),
});

const SHA256 = /^[0-9a-f]{64}$/;

export function registerDocumentRoutes(app: FastifyInstance, deps: DocumentRouteDeps): void {
  const maxBytes = deps.maxBytes ?? MAX_DOCUMENT_BYTES;
  // Any declared type, or none: the raw request stream goes to the handler unread.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.decorateRequest('principal', null);
  // The credential before the body: an unknown sender is answered 401 before a byte of it is read.
  app.addHook('onRequest', deps.authenticate);

  const forceOnly = (request: FastifyRequest, reply: FastifyReply, verb: string): string | null => {
    const principal = request.principal;
    if (principal?.role !== 'force') {
      void sendProblem(reply, problem(403, 'forbidden', 'Forbidden', `documents are ${verb} only by the force they belong to; an operator credential sends nothing`));
      return null;
    }
    return principal.force;
  };

  const slots = new Slots(deps.concurrency ?? { perForce: 4, total: 16 });

  app.post('/v1/documents', async (request, reply) => {
    const force = forceOnly(request, reply, 'uploaded');
    if (!force) return reply;
    const release = slots.take(force);
    if (!release) {
      reply.header('retry-after', '10').header('connection', 'close');
      return sendProblem(reply, problem(429, 'too-many-uploads', 'Too many uploads',
        'this force (or everyone) has as many documents uploading at once as the system takes; send this one when one of them has finished'));
    }
    try {
      return await uploadOne(request, reply, force);
    } finally {
      release();
    }
  });

  async function uploadOne(request: FastifyRequest, reply: FastifyReply, force: string) {
    const claimed = request.headers['x-vawg-force'];
    if (typeof claimed === 'string' && claimed !== force) {
      return sendProblem(reply, problem(403, 'wrong-force', 'Wrong force', `this credential belongs to ${force}, not ${claimed}`));
    }
    const tooLarge = () => {
      // The rest of the body is never read: the connection closes after the answer.
      reply.header('connection', 'close');
      return sendProblem(reply, problem(413, 'document-too-large', 'Document too large', `a document may have at most ${maxBytes} bytes (25 MiB)`));
    };
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();
    const body = request.body as Readable | undefined;
    const empty = () => sendProblem(reply, problem(400, 'empty-document', 'Empty document', 'the body is empty: send the document\'s bytes as the body'));
    if (!body || typeof body.pipe !== 'function' || declared === 0) return empty();

    const unavailable = (error: unknown) => {
      request.log.error({ err: error }, 'document could not be stored');
      return sendProblem(reply, problem(503, 'unavailable', 'Not stored', 'the document could not be stored (the object store or the database failed); send it again'));
    };
    let received;
    try {
      received = await receiveDocument(deps.store, force, body, maxBytes);
    } catch (error) {
      return unavailable(error);
    }
    if (received.outcome === 'too-large') return tooLarge();
    if (received.outcome === 'aborted') return reply; // nobody is listening any more
    if (received.bytes === 0) {
      await deps.store.delete(received.key).catch(() => undefined);
      return empty();
    }
    if (!received.sniff.ok) {
      await deps.store.delete(received.key).catch(() => undefined);
      return sendProblem(reply, problem(415, 'unsupported-document', 'Unsupported document',
        `a document must be a PDF, an ODT, a DOCX or a CSV file, told by its content (not its name or declared type); this is ${received.sniff.reason}`));
    }
    let bound;
    try {
      bound = await bindDocument(deps.pool, deps.store, force, received, received.sniff.mediaType);
    } catch (error) {
      return unavailable(error);
    }
    const { record, created } = bound;
    const answer: DocumentReceipt = { sha256: record.sha256, bytes: record.bytes, mediaType: record.mediaType as DocumentReceipt['mediaType'] };
    return reply.code(created ? 201 : 200).header('location', `/v1/documents/${record.sha256}`).send(answer);
  }

  /**
   * Whose documents a read is about: a force's own, always; an operator's, any force's (operators
   * read everything), named with `?force=`. Null when refused (the answer is sent).
   */
  const readerOf = (request: FastifyRequest, reply: FastifyReply, required: boolean): { force: string | null } | null => {
    const principal = request.principal;
    const asked = (request.query as { force?: unknown } | undefined)?.force;
    if (principal?.role === 'force') {
      if (asked !== undefined && asked !== principal.force) {
        void sendProblem(reply, problem(403, 'wrong-force', 'Wrong force', `this credential reads only ${principal.force}'s documents`));
        return null;
      }
      return { force: principal.force };
    }
    if (principal?.role === 'operator') {
      if (asked === undefined && !required) return { force: null };
      if (typeof asked === 'string' && forceIds.includes(asked)) return { force: asked };
      void sendProblem(reply, problem(400, 'bad-query', 'Bad query', 'force: an operator names the force whose document it reads (?force=kent)'));
      return null;
    }
    void sendProblem(reply, problem(401, 'unauthorized', 'Unauthorized', 'send a credential'));
    return null;
  };

  app.get('/v1/documents', async (request, reply) => {
    const reader = readerOf(request, reply, false);
    if (!reader) return reply;
    const { rows } = await deps.pool.query<{ force: string; sha256: string; bytes: number; media_type: string; uploaded_at: Date }>(
      'SELECT force, sha256, bytes, media_type, uploaded_at FROM ingest.documents WHERE $1::text IS NULL OR force = $1 ORDER BY uploaded_at DESC, sha256', [reader.force]);
    return { documents: rows.map((r) => ({ force: r.force, sha256: r.sha256, bytes: r.bytes, mediaType: r.media_type, uploadedAt: r.uploaded_at.toISOString() })) };
  });

  app.get<{ Params: { sha256: string } }>('/v1/documents/:sha256', async (request, reply) => {
    const reader = readerOf(request, reply, true);
    if (!reader?.force) return reply;
    const force = reader.force;
    const notFound = problem(404, 'not-found', 'Not found', 'no such document for this credential');
    if (!SHA256.test(request.params.sha256)) return sendProblem(reply, notFound);
    const { rows } = await deps.pool.query<{ media_type: string }>(
      'SELECT media_type FROM ingest.documents WHERE force = $1 AND sha256 = $2', [force, request.params.sha256]);
    const row = rows[0];
    if (!row) return sendProblem(reply, notFound);
    const stored = await deps.store.getStream(documentKey(force, request.params.sha256));
    if (!stored) return sendProblem(reply, notFound);
    // A download, never rendered on this origin (the operators' console lives here).
    return reply.type(row.media_type).header('content-length', stored.bytes).header('x-content-type-options', 'nosniff')
      .header('content-disposition', `attachment; filename="${request.params.sha256}"`).send(stored.body);
  });
}
