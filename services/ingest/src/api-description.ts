// The ingest API described: every route of the ingest app, once, with the zod schemas the routes
// validate with and answer with, turned into an OpenAPI 3.1 document (libs/http/src/openapi.ts)
// served at GET /v1/openapi.json. A test checks that every route registered on the app is here and
// that every route here is registered, so a new route cannot go undescribed.
//
// Schemas of routes whose own module does not yet hold them are defined here and exported for
// those routes to validate with (import them; do not write them twice).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  buildOpenApi, componentRef, probeRoutes, problemResponses, type JsonSchema, type OpenApiDocument, type RouteDescription,
} from '@vawg/http';
import { contractsJsonSchema, datasets, eventTypes, forceIdTuple, stages } from '@vawg/contracts';
import pkg from '../package.json' with { type: 'json' };
import { completenessQuery } from './completeness-routes.ts';
import { completenessCellSchema, completenessGridSchema as completenessResponse, deadLetterSummarySchema, submissionProgressSchema } from '@vawg/pipeline';
import { MAX_BODY_BYTES, MAX_EVENTS } from './decode-body.ts';
import { refusalsQuery, refusalsResponse } from './refusal-routes.ts';
import { submissionParams } from './routes.ts';
import { receiptSchema } from './submit.ts';
import { documentList, documentReceipt } from './document-routes.ts';
import { MAX_DOCUMENT_BYTES } from './document-receive.ts';
import { documentMediaTypes } from './document-sniff.ts';

const instant = () => z.iso.datetime();
const count = () => z.number().int().min(0);
const forceId = z.enum(forceIdTuple);

// ---- GET /v1/submissions/{id}

export const submissionResponse = receiptSchema.extend({ progress: submissionProgressSchema });

// ---- GET /v1/completeness (the query is completeness-routes.ts's)

// The completeness and progress schemas are libs/pipeline's, whose types derive from them.
export { completenessCellSchema, completenessResponse, submissionProgressSchema };

// ---- Documents (the schemas are document-routes.ts's)

export const documentsQuery = z.object({ force: forceId.optional().describe('Operators only: whose documents') });
export const documentParams = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('As the upload answered') });

// ---- Operators: GET /v1/dead-letters, /v1/pipeline, /v1/publications

export const deadLettersQuery = z.strictObject({
  force: forceId.optional(),
  stage: z.enum(stages).optional(),
});

/** One dead letter (libs/pipeline/src/dead-letters.ts DeadLetterSummary). */
export const deadLetterSchema = deadLetterSummarySchema;

export const deadLettersResponse = z.object({ deadLetters: z.array(deadLetterSchema) });

export const pipelineResponse = z.object({
  asAt: instant(),
  stages: z.array(z.object({
    stage: z.string(),
    lag: z.object({
      messages: count().describe('Messages of its input not yet processed'),
      seconds: z.number().min(0).nullable().describe('Since ingest received the oldest event it has not processed; null when unknown'),
    }).nullable().describe('Null for ingest, which has no input topic'),
    throughput: z.object({
      eventsPerSecond: z.number().min(0).nullable().describe('Messages processed (for ingest: accepted) per second; null until two samples'),
      windowSeconds: z.number().int().min(0).describe('Over the last so many seconds (up to 300; sampling starts at the first request)'),
    }),
  })),
});

/** What became of the events received by a publication's cut-off (services/publish/src/completeness.ts). */
export const publicationCompletenessSchema = z.object({
  accepted: count(), withoutReceipt: count(), counted: count(), duplicates: count(), refusedLater: count(), held: count(),
  withdrawn: count(), deadLettered: count(), discarded: count(), notYetProcessed: count(), complete: z.boolean(),
});

export const publicationsResponse = z.object({
  publications: z.array(z.object({
    period: z.string(),
    revision: z.number().int().min(1),
    status: z.enum(['published', 'writing']).describe('writing: the revision is claimed and its files are being written'),
    cutoff: instant(),
    publishedAt: instant().nullable(),
    completeness: publicationCompletenessSchema.nullable().describe("The manifest's completeness at the cut-off"),
    cellStates: z.record(z.string(), count()).nullable()
      .describe("How many force × dataset × month cells of the period were in each state at the cut-off (the manifest's completenessGrid); null in revisions made before it was kept"),
    files: z.array(z.object({ name: z.string(), bytes: count().nullable(), href: z.string() })),
  })).describe('Newest first'),
  runs: z.array(z.object({
    period: z.string(),
    status: z.enum(['failed', 'running']),
    trigger: z.string().describe('schedule or operator'),
    cutoff: instant(),
    startedAt: instant(),
    finishedAt: instant().nullable(),
    error: z.string().nullable(),
  })).describe('The latest run of each period, when it made no revision: failed (with the reason), or running now'),
});

// ---- The console's session

/** The cookie that carries a console session (HttpOnly, SameSite=Strict). */
export const CONSOLE_SESSION_COOKIE = 'vawg_session';

export const consoleSignIn = z.strictObject({ token: z.string().min(1).max(200).describe("An operator's credential") });

/** GET /console/reference.json: what the page offers to choose from. */
export const consoleReferenceResponse = z.object({
  forces: z.array(z.object({ id: z.string(), name: z.string() })),
  datasets: z.array(z.enum(datasets)),
  periods: z.array(z.string()).describe('Recent half-years, newest first'),
});

/** GET /v1/publications/{period}/{revision}/files/{path}: one file a revision's manifest lists. */
export const publicationFileParams = z.object({
  period: z.string().regex(/^\d{4}-H[12]$/),
  revision: z.string().regex(/^[1-9]\d{0,5}$/),
  path: z.string().describe("The file's path in the revision, as the manifest lists it (may hold `/`)"),
});

// ---- Public documents

/** GET /v1/contracts: the contract as one JSON Schema 2020-12 document. */
export const contractsResponse = z.looseObject({
  $schema: z.string(),
  $id: z.string(),
  title: z.string(),
  oneOf: z.array(z.object({ $ref: z.string() })),
  $defs: z.record(z.string(), z.record(z.string(), z.unknown())),
}).describe('A JSON Schema (draft 2020-12) document: one definition per event type');

export const openApiResponse = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
  components: z.record(z.string(), z.unknown()),
}).describe('This document');

// ---- The routes

const FORCE = [['bearer']] as const;
/** Read by a credential (a force its own data, an operator everyone's) or by the operators' console. */
const READER = [['bearer'], ['consoleSession']] as const;

const problems = problemResponses;
const json = (schema: z.ZodType) => ({ 'application/json': schema });

export const ingestRoutes: RouteDescription[] = [
  {
    method: 'POST', path: '/v1/events', operationId: 'submitEvents', tags: ['events'], summary: 'Send a batch of events',
    description: `At most ${MAX_EVENTS} events or ${MAX_BODY_BYTES / 1024 / 1024} MiB. Each line is checked against the contract on its own: ` +
      'the receipt answers for every line, accepted or refused with its rule code. 202 means every accepted event is durable. ' +
      'A line naming another force refuses the whole batch (403). Resending is safe: events are deduplicated by eventId.',
    security: FORCE,
    headers: z.object({ 'x-vawg-force': forceId.optional().describe("If sent, must be the credential's force (a guard against sending with the wrong token)") }),
    body: {
      content: {
        'application/x-ndjson': { ...componentRef('Event'), description: 'One event per line (newline-delimited JSON); each line is an Event' },
        'application/json': { type: 'array', items: componentRef('Event'), maxItems: MAX_EVENTS },
      },
    },
    responses: {
      202: { description: 'Received: every line accepted or refused, the accepted ones durable', content: json(receiptSchema) },
      ...problems({
        400: 'The body is empty or is not NDJSON or a JSON array (malformed-body)',
        401: 'No or unknown credential (unauthorized)',
        403: 'An operator credential (forbidden), or a line for another force (wrong-force): nothing accepted',
        413: `Over ${MAX_BODY_BYTES} bytes (body-too-large) or ${MAX_EVENTS} events (too-many-events)`,
        415: 'Not application/x-ndjson or application/json (unsupported-media-type)',
        429: "Over the force's fair share (too-many-requests): batches in progress at once, or events a second; nothing taken, send it again after Retry-After",
        503: 'Could not be made durable in time: nothing acknowledged, send it again (unavailable)',
      }),
    },
  },
  {
    method: 'GET', path: '/v1/submissions/:id', operationId: 'getSubmission', tags: ['events'], summary: 'A receipt again, and how far its events have got',
    security: READER, params: submissionParams,
    responses: {
      200: { description: 'The receipt, with its progress through validate and aggregate', content: json(submissionResponse) },
      ...problems({ 401: 'No or unknown credential', 404: 'No such submission for this credential (another force\'s included)' }),
    },
  },
  {
    method: 'GET', path: '/v1/refusals', operationId: 'listRefusals', tags: ['events'], summary: 'Refused events, newest first, with their originals',
    description: "A force reads its own; an operator any force's (`force`), or all.",
    security: READER, query: refusalsQuery,
    responses: { 200: { description: 'The refusals', content: json(refusalsResponse) }, ...problems({ 400: 'A bad query (bad-query)', 401: 'No or unknown credential' }) },
  },
  {
    method: 'GET', path: '/v1/contracts', operationId: 'getContracts', tags: ['contracts'], summary: 'The contract: the JSON Schema of every event type',
    description: 'Public. The same schemas as the Event component of this document.',
    security: [],
    responses: { 200: { description: 'The contract', content: { 'application/schema+json': contractsResponse } } },
  },
  {
    method: 'GET', path: '/v1/completeness', operationId: 'getCompleteness', tags: ['completeness'], summary: 'Completeness per force × dataset × month',
    description: "A force reads its own (`force` of another force: 403); an operator every force's, filterable by force and dataset.",
    security: READER, query: completenessQuery,
    responses: {
      200: { description: 'The grid', content: json(completenessResponse) },
      ...problems({ 400: 'A bad query (bad-query)', 401: 'No or unknown credential', 403: "Another force's completeness (wrong-force)" }),
    },
  },
  {
    method: 'POST', path: '/v1/documents', operationId: 'uploadDocument', tags: ['documents'], summary: 'Upload one document for a return',
    description: `PDF, ODT, DOCX or CSV, told by its content (the declared type and name are not trusted), at most ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB, streamed. ` +
      'Stored by its SHA-256 and bound to the force: cite the sha256 in return.submitted (a return citing a document its force never uploaded is refused).',
    security: FORCE,
    headers: z.object({ 'x-vawg-force': forceId.optional().describe("If sent, must be the credential's force") }),
    body: {
      description: 'The bytes of the document, as the body (any declared type)',
      content: Object.fromEntries([...Object.values(documentMediaTypes), 'application/octet-stream'].map((type) => [type, { type: 'string', contentMediaType: type }])),
    },
    responses: {
      201: { description: 'Stored', content: json(documentReceipt), headers: { location: { description: 'Where the force reads it back', schema: z.string(), required: true } } },
      200: { description: 'The same bytes were uploaded before: nothing new stored', content: json(documentReceipt), headers: { location: { description: 'Where the force reads it back', schema: z.string(), required: true } } },
      ...problems({
        400: 'An empty body (empty-document)', 401: 'No or unknown credential',
        403: "An operator credential (forbidden), or X-Vawg-Force not the credential's (wrong-force)",
        413: `Over ${MAX_DOCUMENT_BYTES} bytes (document-too-large)`, 415: 'Not a PDF, ODT, DOCX or CSV by its content (unsupported-document)',
        429: 'As many uploads in progress as taken at once, for the force or in all (too-many-uploads): send again later (Retry-After)', 503: 'Not stored: the object store or the database failed (unavailable); send again',
      }),
    },
  },
  {
    method: 'GET', path: '/v1/documents', operationId: 'listDocuments', tags: ['documents'], summary: "The force's own documents (an operator's: every force's, or one's), newest first",
    security: READER, query: documentsQuery,
    responses: {
      200: { description: 'The documents', content: json(documentList) },
      ...problems({ 400: 'A bad query (bad-query)', 401: 'No or unknown credential', 403: "Another force's documents (wrong-force)" }),
    },
  },
  {
    method: 'GET', path: '/v1/documents/:sha256', operationId: 'getDocument', tags: ['documents'], summary: 'One of the force\'s own documents, as uploaded (an operator names the force)',
    security: READER, params: documentParams, query: documentsQuery,
    responses: {
      200: { description: 'The bytes, with the type they were found to be', content: Object.fromEntries(Object.values(documentMediaTypes).map((type) => [type, { type: 'string', contentMediaType: type }])) },
      ...problems({ 400: 'An operator did not name the force (bad-query)', 401: 'No or unknown credential', 403: "Another force's (wrong-force)", 404: 'No such document for this credential (another force\'s included)' }),
    },
  },
  {
    method: 'GET', path: '/v1/dead-letters', operationId: 'listDeadLetters', tags: ['operations'], summary: 'Dead letters waiting (operators)',
    security: READER, query: deadLettersQuery,
    responses: {
      200: { description: 'The dead letters', content: json(deadLettersResponse) },
      ...problems({ 400: 'A bad query (bad-query)', 401: 'No or unknown credential', 403: "A force's credential (operators-only)" }),
    },
  },
  {
    method: 'GET', path: '/v1/pipeline', operationId: 'getPipeline', tags: ['operations'], summary: 'Lag and throughput per stage (operators)',
    security: READER,
    responses: {
      200: { description: 'Each stage', content: json(pipelineResponse) },
      ...problems({ 401: 'No or unknown credential', 403: "A force's credential (operators-only)", 503: 'The stages could not be sampled just now (unavailable)' }),
    },
  },
  {
    method: 'GET', path: '/v1/publications', operationId: 'listPublications', tags: ['operations'], summary: 'Publications with status, cut-off and completeness (operators)',
    description: 'Each revision with links to its files, and the latest run of each period that made none (failed, or running).',
    security: READER,
    responses: {
      200: { description: 'The publications', content: json(publicationsResponse) },
      ...problems({ 401: 'No or unknown credential', 403: "A force's credential (operators-only)" }),
    },
  },
  {
    method: 'GET', path: '/v1/publications/:period/:revision/files/*', operationId: 'getPublicationFile', tags: ['operations'],
    summary: "One file of a published revision (operators): only what its manifest lists, and the manifest",
    security: READER, params: publicationFileParams,
    responses: {
      200: {
        description: 'The file: report pages and data are shown in place, anything else is downloaded',
        content: {
          'text/html': z.string(), 'text/csv': z.string(), 'application/json': z.unknown(),
          'application/octet-stream': { type: 'string', contentMediaType: 'application/octet-stream' },
        },
      },
      ...problems({ 401: 'No or unknown credential', 403: "A force's credential (operators-only)", 404: 'No such file in that revision' }),
    },
  },
  {
    method: 'GET', path: '/console', operationId: 'redirectToConsole', tags: ['console'], summary: 'To /console/',
    security: [],
    responses: { 302: { description: 'Found', headers: { location: { description: '/console/', schema: z.literal('/console/'), required: true } } } },
  },
  {
    method: 'GET', path: '/console/', operationId: 'getConsole', tags: ['console'], summary: "The operators' console (a web page)",
    description: 'Shows the sign-in form until a session is open; then asks the operator routes for everything, with the session cookie.',
    security: [],
    responses: { 200: { description: 'The page', content: { 'text/html': z.string() } } },
  },
  {
    method: 'GET', path: '/console/console.js', operationId: 'getConsoleScript', tags: ['console'], summary: "The console's script",
    security: [],
    responses: { 200: { description: 'An ES module', content: { 'text/javascript': z.string() } } },
  },
  {
    method: 'GET', path: '/console/console.css', operationId: 'getConsoleStyles', tags: ['console'], summary: "The console's styles",
    security: [],
    responses: { 200: { description: 'A style sheet', content: { 'text/css': z.string() } } },
  },
  {
    method: 'GET', path: '/console/reference.json', operationId: 'getConsoleReference', tags: ['console'], summary: 'The forces, datasets and recent periods the console offers',
    security: [],
    responses: { 200: { description: 'The choices', content: json(consoleReferenceResponse) } },
  },
  {
    method: 'POST', path: '/console/session', operationId: 'signIn', tags: ['console'], summary: "Open a console session with an operator's credential",
    security: [],
    body: { content: json(consoleSignIn) },
    responses: {
      204: {
        description: 'Signed in',
        headers: { 'set-cookie': { description: `${CONSOLE_SESSION_COOKIE}=…; HttpOnly; SameSite=Strict; Path=/`, schema: z.string(), required: true } },
      },
      ...problems({
        400: 'No token in the body (bad-request)', 401: 'Not a credential (unauthorized)',
        403: "A force's credential (operators-only): the console shows every force",
      }),
    },
  },
  {
    method: 'DELETE', path: '/console/session', operationId: 'signOut', tags: ['console'], summary: 'Close the console session',
    security: [[], ['consoleSession']],
    responses: {
      204: { description: 'Signed out: the session ended (if any) and the cookie cleared', headers: { 'set-cookie': { description: 'The cookie, expired', schema: z.string() } } },
    },
  },
  ...probeRoutes('bearer'),
  {
    method: 'GET', path: '/v1/openapi.json', operationId: 'getOpenApi', tags: ['api'], summary: 'This description of the API (OpenAPI 3.1)',
    description: 'Public. Generate a client from it.',
    security: [],
    responses: { 200: { description: 'The document', content: json(openApiResponse) } },
  },
];

/** The contract's JSON Schemas as components: one per event type, and `Event`, any of them. */
function eventComponents(): Record<string, JsonSchema> {
  const contract = contractsJsonSchema();
  const defs = contract.$defs as Record<string, JsonSchema>;
  return {
    Event: {
      title: contract.title,
      description: contract.description,
      oneOf: eventTypes.map((type) => componentRef(type)),
      discriminator: { propertyName: 'type', mapping: Object.fromEntries(eventTypes.map((type) => [type, componentRef(type).$ref])) },
    },
    ...defs,
  };
}

let built: OpenApiDocument | undefined;

/** The OpenAPI 3.1 document of the ingest API. */
export function ingestOpenApi(): OpenApiDocument {
  built ??= buildOpenApi(ingestRoutes, {
    info: {
      title: 'VAWG ingest API',
      version: pkg.version,
      description: 'How forces send events and documents and read back their receipts, refusals and completeness; and what operators read. ' +
        'Errors are RFC 9457 problem documents with a stable `type`.',
    },
    tags: [
      { name: 'events', description: 'Sending events and reading what became of them' },
      { name: 'contracts', description: 'The contract events must meet' },
      { name: 'completeness', description: 'What each force has sent, month by month' },
      { name: 'documents', description: 'Documents cited by returns' },
      { name: 'operations', description: 'For operators' },
      { name: 'console', description: "The operators' console" },
      { name: 'probes', description: 'Liveness, readiness, metrics' },
      { name: 'api', description: 'This description' },
    ],
    securitySchemes: {
      bearer: {
        type: 'http', scheme: 'bearer',
        description: "A force's or an operator's credential (`vawg tokens create`): `Authorization: Bearer vawg_…`. A force's reads and sends its own data only.",
      },
      consoleSession: {
        type: 'apiKey', in: 'cookie', name: CONSOLE_SESSION_COOKIE,
        description: "The operators' console session, opened by POST /console/session with an operator's credential",
      },
    },
    schemas: {
      Receipt: receiptSchema,
      SubmissionProgress: submissionProgressSchema,
      CompletenessCell: completenessCellSchema,
      DeadLetter: deadLetterSchema,
      PublicationCompleteness: publicationCompletenessSchema,
    },
    jsonSchemas: eventComponents(),
  });
  return built;
}

/** GET /v1/openapi.json: public, like the contract. Built here, so a description that cannot be built stops the start. */
export function registerOpenApiRoute(app: FastifyInstance): void {
  const document = ingestOpenApi();
  app.get('/v1/openapi.json', (_request, reply) => reply.type('application/json').send(document));
}
