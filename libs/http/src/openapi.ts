// An OpenAPI 3.1 document built from the zod schemas the routes themselves use: each route is
// declared once (path, parameters, bodies by media type, responses by status, security), and
// `buildOpenApi` converts the schemas with zod's own JSON Schema 2020-12 output (the dialect of
// OpenAPI 3.1). Response bodies are hoisted into `components.schemas` (named ones under their
// name, the others under the operation's); parameters and request bodies are inlined as input.
import { z } from 'zod';
import { problemSchema } from './problem.ts';

export type JsonSchema = Record<string, unknown>;
/** A zod schema (converted here), or JSON Schema published as such elsewhere (the event contract). */
export type BodySchema = z.ZodType | JsonSchema;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseDescription {
  description: string;
  /** By media type. None: an empty body. */
  content?: Record<string, BodySchema>;
  headers?: Record<string, { description: string; schema: z.ZodType; required?: boolean }>;
}

export interface RouteDescription {
  method: HttpMethod;
  /** As registered on fastify: `/v1/submissions/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  /**
   * Who may call it: alternatives, each a list of security schemes all required. `[]`: anyone, no
   * credential; `[[], ['bearer']]`: anyone, and a credential says more.
   */
  security: readonly (readonly string[])[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: { description?: string; required?: boolean; content: Record<string, BodySchema> };
  /** By status code (`'200'`) or `'default'`. */
  responses: Record<string, ResponseDescription>;
}

export interface OpenApiOptions {
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description: string }[];
  securitySchemes: Record<string, JsonSchema>;
  /** Shared response schemas: one component each, referred to wherever they appear. */
  schemas?: Record<string, z.ZodType>;
  /** Components already in JSON Schema 2020-12 (the contract), copied as they are. */
  jsonSchemas?: Record<string, JsonSchema>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  jsonSchemaDialect: string;
  info: OpenApiOptions['info'];
  tags?: OpenApiOptions['tags'];
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const COMPONENTS = '#/components/schemas/';
const PROBLEM = 'application/problem+json';

/** fastify's `/v1/submissions/:id` as OpenAPI's `/v1/submissions/{id}`; a final wildcard `*` is `{path}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{path}');
}

/** A component to cite by `$ref` in a body given as JSON Schema. */
export function componentRef(name: string): JsonSchema {
  return { $ref: `${COMPONENTS}${name}` };
}

/** Error responses as RFC 9457 problem documents (libs/http/src/problem.ts), by status. */
export function problemResponses(statuses: Record<number, string>): Record<string, ResponseDescription> {
  return Object.fromEntries(Object.entries(statuses).map(([status, description]) => [status, { description, content: { [PROBLEM]: problemSchema } }]));
}

const isZod = (schema: BodySchema): schema is z.ZodType => schema instanceof z.ZodType;

const pascal = (id: string) => id.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase());

/** A schema converted on its own (parameters, request bodies): it must not need `$defs`. */
function inline(schema: z.ZodType, io: 'input' | 'output', where: string): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as JsonSchema;
  if ('$defs' in json) throw new Error(`${where}: a recursive or self-referring schema cannot be inlined; make it a named schema`);
  return json;
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, found);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else refsIn(v, found);
    }
  }
  return found;
}

function parameters(route: RouteDescription): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query], ['header', route.headers]] as const) {
    if (!schema) continue;
    const json = inline(schema, 'input', `${route.operationId} ${where}`) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = property;
      out.push({
        name, in: where, required: where === 'path' || (json.required ?? []).includes(name),
        ...(typeof description === 'string' ? { description } : {}), schema: rest,
      });
    }
  }
  return out;
}

export function buildOpenApi(routes: readonly RouteDescription[], options: OpenApiOptions): OpenApiDocument {
  // Every zod response body becomes a component: the named under their names, the rest under
  // their operation's (`GetRefusalsResponse`), which is also the type name a client generator gives.
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  const name = (schema: z.ZodType, id: string) => {
    const known = names.get(schema);
    if (known) return known;
    if ([...names.values()].includes(id) || options.jsonSchemas?.[id]) throw new Error(`two schemas are named ${id}`);
    names.set(schema, id);
    registry.add(schema, { id });
    return id;
  };
  for (const [id, schema] of Object.entries({ Problem: problemSchema, ...options.schemas })) name(schema, id);

  const seen = new Set<string>();
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const method = route.method.toLowerCase();
    if (seen.has(route.operationId)) throw new Error(`operationId ${route.operationId} is used twice`);
    seen.add(route.operationId);
    if (paths[path]?.[method]) throw new Error(`${route.method} ${path} is described twice`);

    const responses: Record<string, JsonSchema> = {};
    const all = { ...route.responses, default: route.responses.default ?? { description: 'Any other error, as a problem document', content: { [PROBLEM]: problemSchema } } };
    for (const [status, response] of Object.entries(all)) {
      const content = response.content && Object.fromEntries(Object.entries(response.content).map(([mediaType, schema]) => {
        if (!isZod(schema)) return [mediaType, { schema }];
        // Text (a page, metrics) is described where it is; JSON bodies are types of their own.
        if (!/json/.test(mediaType)) return [mediaType, { schema: inline(schema, 'output', `${route.operationId} ${status}`) }];
        const suffix = /^2/.test(status) ? '' : status === 'default' ? 'Error' : status;
        return [mediaType, { schema: componentRef(name(schema, `${pascal(route.operationId)}Response${suffix}`)) }];
      }));
      const headers = response.headers && Object.fromEntries(Object.entries(response.headers).map(([header, h]) =>
        [header, { description: h.description, required: h.required ?? false, schema: inline(h.schema, 'output', `${route.operationId} ${header}`) }]));
      responses[status] = { description: response.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) };
    }

    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.tags ? { tags: route.tags } : {}),
      security: route.security.map((schemes) => Object.fromEntries(schemes.map((s) => [s, []]))),
    };
    const params = parameters(route);
    if (params.length > 0) operation.parameters = params;
    if (route.body) {
      operation.requestBody = {
        ...(route.body.description ? { description: route.body.description } : {}),
        required: route.body.required ?? true,
        content: Object.fromEntries(Object.entries(route.body.content).map(([mediaType, schema]) =>
          [mediaType, { schema: isZod(schema) ? inline(schema, 'input', `${route.operationId} body`) : schema }])),
      };
    }
    operation.responses = responses;
    paths[path] = { ...paths[path], [method]: operation };
  }

  const converted = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'output', uri: (id) => `${COMPONENTS}${id}` }).schemas;
  const schemas: Record<string, JsonSchema> = { ...options.jsonSchemas };
  for (const [id, json] of Object.entries(converted)) {
    const { $schema: _dialect, $id: _id, ...rest } = json as JsonSchema;
    schemas[id] = rest;
  }
  const securitySchemes = options.securitySchemes;
  const document: OpenApiDocument = {
    openapi: '3.1.0',
    jsonSchemaDialect: DIALECT,
    info: options.info,
    ...(options.tags ? { tags: options.tags } : {}),
    paths,
    components: { schemas, securitySchemes },
  };
  // Every reference must land: zod's own `$defs` (a cycle) would point at the document's root.
  for (const ref of refsIn(document)) {
    if (!ref.startsWith(COMPONENTS) || !schemas[ref.slice(COMPONENTS.length)]) throw new Error(`a reference does not resolve in the document: ${ref}`);
  }
  for (const route of routes) {
    for (const scheme of route.security.flat()) if (!securitySchemes[scheme]) throw new Error(`${route.operationId}: no security scheme ${scheme}`);
  }
  return document;
}

/** What /healthz answers (libs/http/src/app.ts). */
export const healthSchema = z.object({ status: z.literal('ok') });

/** What /readyz answers: 200 when every check passes, else 503; with a credential allowed to, more (each stage's lag). */
export const readinessSchema = z.looseObject({
  status: z.enum(['ready', 'not-ready']),
  checks: z.record(z.string(), z.boolean()).describe('Each dependency and stage, and whether it answered within 3 s'),
});

/**
 * The shell's own routes (createHttpApp): liveness, readiness, metrics. `operator` names the
 * security scheme that opens /metrics and /readyz's details on a port the outside world reaches.
 */
export function probeRoutes(operator?: string): RouteDescription[] {
  const metrics: RouteDescription = {
    method: 'GET', path: '/metrics', operationId: 'getMetrics', tags: ['probes'], summary: 'Prometheus metrics',
    description: 'The Prometheus text exposition format.',
    security: operator ? [[operator]] : [],
    responses: {
      200: { description: 'The metrics', content: { 'text/plain': z.string().describe('Prometheus text format 0.0.4') } },
      ...(operator ? problemResponses({ 401: 'No operator credential', 403: "A force's credential (operators-only)" }) : {}),
    },
  };
  return [
    {
      method: 'GET', path: '/healthz', operationId: 'getHealth', tags: ['probes'], summary: 'Liveness', security: [],
      responses: { 200: { description: 'The process answers', content: { 'application/json': healthSchema } } },
    },
    {
      method: 'GET', path: '/readyz', operationId: 'getReadiness', tags: ['probes'], summary: 'Readiness',
      description: 'Ready when every dependency (database, broker, object store) and stage answers within 3 s.' +
        (operator ? ' With an operator credential, also each stage\'s lag.' : ''),
      security: operator ? [[], [operator]] : [],
      responses: {
        200: { description: 'Ready', content: { 'application/json': readinessSchema } },
        503: { description: 'Not ready (same body)', content: { 'application/json': readinessSchema } },
      },
    },
    metrics,
  ];
}
