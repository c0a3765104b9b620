// The API described: the OpenAPI 3.1 document passes a real validator, its every schema is JSON
// Schema 2020-12, it names exactly the routes the real ingest app registers, it is served to
// anyone at /v1/openapi.json, and the real routes answer as it says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { type Pool } from '@vawg/db';
import { openApiPath, registeredRoutes, type HttpApp, type OpenApiDocument } from '@vawg/http';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { createCredential, type Receipt } from '../src/index.ts';
import { ingestOpenApi } from '../src/api-description.ts';
import { startIngestFixture, type IngestFixture } from './ingest-fixture.ts';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const DOC_ID = 'urn:vawg:openapi';
const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

async function validate(document: unknown) {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document) as Record<string, unknown>);
  return { ...result, version: validator.version };
}

/** Every Schema Object of the document, with where it is. */
function schemaObjects(doc: OpenApiDocument): [string, unknown][] {
  const found: [string, unknown][] = Object.entries(doc.components.schemas).map(([name, s]) => [`components.schemas.${name}`, s]);
  type Media = Record<string, { schema: unknown }>;
  type Operation = { parameters?: { name: string; schema: unknown }[]; requestBody?: { content: Media }; responses: Record<string, { content?: Media; headers?: Record<string, { schema: unknown }> }> };
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations as Record<string, Operation>)) {
      const at = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? []) found.push([`${at} parameter ${p.name}`, p.schema]);
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) found.push([`${at} body ${type}`, media.schema]);
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) found.push([`${at} ${status} ${type}`, media.schema]);
        for (const [name, header] of Object.entries(response.headers ?? {})) found.push([`${at} ${status} header ${name}`, header.schema]);
      }
    }
  }
  return found;
}

function ajvFor(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // The document is added whole: a response's schema is compiled where it stands, its $refs resolved against the document.
  ajv.addSchema({ ...structuredClone(doc), $id: DOC_ID });
  return ajv;
}

describe('the OpenAPI document of ingest', () => {
  const doc = ingestOpenApi();

  it('is valid OpenAPI 3.1, by a real validator', async () => {
    const result = await validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('is checked for real: the validator refuses a document broken in any of several ways', async () => {
    type Obj = Record<string, unknown>;
    const at = (d: Obj, ...keys: string[]) => keys.reduce<Obj>((o, k) => o[k] as Obj, d);
    const events = ['paths', '/v1/events', 'post', 'responses'];
    const broken: ((d: Obj) => void)[] = [
      (d) => { delete d.info; },
      (d) => { delete at(d, ...events, '202').description; },
      (d) => { at(d, ...events)['2000'] = at(d, ...events, '202'); },
      (d) => { (at(d, 'paths', '/v1/refusals', 'get').parameters as Obj[])[0]!.in = 'body'; },
      (d) => { at(d, 'paths')['v1/no-slash'] = at(d, 'paths', '/healthz'); },
      (d) => { at(d, 'components', 'securitySchemes', 'bearer').type = 'password'; },
      (d) => { at(d, 'paths', '/v1/contracts', 'get', 'responses', '200', 'content', 'application/schema+json').schema = 'not a schema'; },
    ];
    for (const breakIt of broken) {
      const copy = structuredClone(doc) as unknown as Obj;
      breakIt(copy);
      expect((await validate(copy)).valid).toBe(false);
    }
  });

  it('holds only JSON Schema 2020-12 (every schema valid against the meta-schema, every pattern and $ref compiling)', () => {
    const ajv = ajvFor(doc);
    const schemas = schemaObjects(doc);
    expect(schemas.length).toBeGreaterThan(60);
    for (const [where, schema] of schemas) {
      expect({ where, valid: ajv.validateSchema(schema as object), errors: ajv.errors ?? null }).toEqual({ where, valid: true, errors: null });
    }
    for (const name of Object.keys(doc.components.schemas)) {
      expect(ajv.getSchema(`${DOC_ID}#/components/schemas/${pointer(name)}`), name).toBeTypeOf('function');
    }
    // The OpenAPI validator takes any object as a schema; this check does not.
    const broken = structuredClone(doc);
    (broken.paths['/healthz']!.get as { responses: Record<string, { content: Record<string, { schema: unknown }> }> }).responses['200']!.content['application/json']!.schema = { type: 'strin' };
    expect(schemaObjects(broken).filter(([, schema]) => !ajv.validateSchema(schema as object)).map(([where]) => where)).toEqual(['GET /healthz 200 application/json']);
  });

  it('describes the problem document, the receipt and the contract once, as components every route refers to', () => {
    const text = JSON.stringify(doc.paths);
    expect(text.match(/#\/components\/schemas\/Problem"/g)?.length).toBeGreaterThan(15);
    expect(doc.paths['/v1/events']!.post).toMatchObject({
      security: [{ bearer: [] }],
      requestBody: { content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Event' } } } } },
      responses: { 202: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Receipt' } } } } },
    });
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Event', 'crime.recorded', 'return.submitted', 'Problem', 'Receipt']));
    // Public: the contract, this document, liveness; the console's page and its sign-in.
    const open = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => (op.security as unknown[]).length === 0).map(([m]) => `${m} ${path}`));
    expect(open.sort()).toEqual([
      'get /console', 'get /console/', 'get /console/console.css', 'get /console/console.js', 'get /console/reference.json',
      'get /healthz', 'get /v1/contracts', 'get /v1/openapi.json', 'post /console/session',
    ]);
  });
});

describe('the running ingest app and its description', () => {
  let fx: IngestFixture;
  let pool: Pool;
  let app: HttpApp;
  let kent: string;
  let base: string;
  const doc = ingestOpenApi();
  const ajv = ajvFor(doc);

  /** Checks a real answer against what the document says the route answers. */
  function expectAsDescribed(path: string, method: string, status: number, mediaType: string, body: unknown) {
    const validate = ajv.getSchema(`${DOC_ID}#/${pointer('paths', path, method, 'responses', String(status), 'content', mediaType, 'schema')}`);
    expect(validate, `${method} ${path} ${status} ${mediaType} is described`).toBeTypeOf('function');
    expect({ route: `${method} ${path} ${status}`, valid: validate!(body), errors: validate!.errors ?? null }).toEqual({ route: `${method} ${path} ${status}`, valid: true, errors: null });
  }

  beforeAll(async () => {
    fx = await startIngestFixture('openapi', { operatorProbes: true });
    ({ pool, app } = fx);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    kent = await createCredential(pool, { role: 'force', force: 'kent' });
  });
  afterAll(async () => fx?.stop());

  it('describes every route the app registers, and the app registers every route described', () => {
    const all = registeredRoutes(app);
    const gets = new Set(all.filter((r) => r.method === 'GET').map((r) => r.url));
    // fastify adds a HEAD to every GET by itself: the GET describes it.
    const registered = all.filter((r) => !(r.method === 'HEAD' && gets.has(r.url))).map((r) => `${r.method} ${openApiPath(r.url)}`);
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(registered).toContain('POST /v1/events');
    expect(registered).toContain('GET /v1/submissions/{id}');
    expect({ undescribed: registered.filter((r) => !described.includes(r)).sort(), unregistered: described.filter((d) => !registered.includes(d)).sort() })
      .toEqual({ undescribed: [], unregistered: [] });
  });

  it('serves the document to anyone at /v1/openapi.json, valid OpenAPI 3.1', async () => {
    const response = await fetch(`${base}/v1/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const served = (await response.json());
    expect(served).toEqual(JSON.parse(JSON.stringify(doc)));
    expect(await validate(served)).toMatchObject({ valid: true, version: '3.1' });
    expectAsDescribed('/v1/openapi.json', 'get', 200, 'application/json', served);
  });

  it('answers as it says: receipts, submissions, refusals, the contract, problems and probes', async () => {
    const auth = { authorization: `Bearer ${kent}` };
    const crimes = syntheticCrimes(seeded(7), { force: 'kent', count: 2, from: '2025-04-01', to: '2025-04-30' });
    const body = [JSON.stringify(crimes[0]), '{"broken"', JSON.stringify(crimes[1])].join('\n');
    const sent = await fetch(`${base}/v1/events`, { method: 'POST', body, headers: { ...auth, 'content-type': 'application/x-ndjson' } });
    expect(sent.status).toBe(202);
    const receipt = (await sent.json()) as Receipt;
    expect(receipt).toMatchObject({ accepted: 2, refused: 1 });
    expectAsDescribed('/v1/events', 'post', 202, 'application/json', receipt);

    const asJson = await fetch(`${base}/v1/events`, { method: 'POST', body: JSON.stringify([crimes[0]]), headers: { ...auth, 'content-type': 'application/json' } });
    expectAsDescribed('/v1/events', 'post', 202, 'application/json', await asJson.json());

    const read = async (path: string, headers: Record<string, string> = auth) => {
      const response = await fetch(`${base}${path}`, { headers });
      return { status: response.status, type: response.headers.get('content-type') ?? '', body: (await response.json()) };
    };
    const submission = await read(`/v1/submissions/${receipt.submissionId}`);
    expect(submission.status).toBe(200);
    expectAsDescribed('/v1/submissions/{id}', 'get', 200, 'application/json', submission.body);

    const refusals = await read('/v1/refusals');
    expect(refusals.status).toBe(200);
    expectAsDescribed('/v1/refusals', 'get', 200, 'application/json', refusals.body);

    const contracts = await read('/v1/contracts', {});
    expect(contracts.type).toMatch(/^application\/schema\+json/);
    expectAsDescribed('/v1/contracts', 'get', 200, 'application/schema+json', contracts.body);

    const completeness = await read('/v1/completeness?period=2025-H1');
    expect(completeness.status).toBe(200);
    expectAsDescribed('/v1/completeness', 'get', 200, 'application/json', completeness.body);

    for (const [path, status, headers] of [
      ['/v1/refusals', 401, {}], ['/v1/refusals?since=yesterday', 400, auth], ['/v1/submissions/not-a-uuid', 404, auth],
      ['/v1/completeness?period=2025-H1&force=essex', 403, auth], ['/metrics', 401, {}],
    ] as const) {
      const problem = await read(path, headers);
      expect({ path, status: problem.status, type: problem.type }).toEqual({ path, status, type: expect.stringMatching(/^application\/problem\+json/) as unknown });
      expectAsDescribed(path.split('?')[0]!.replace(/not-a-uuid$/, '{id}'), 'get', status, 'application/problem+json', problem.body);
    }

    expectAsDescribed('/healthz', 'get', 200, 'application/json', (await read('/healthz', {})).body);
    expectAsDescribed('/readyz', 'get', 200, 'application/json', (await read('/readyz', {})).body);
  });

  it('answers as it says: documents, the operator routes and the console', async () => {
    const auth = { authorization: `Bearer ${kent}` };
    const operator = { authorization: `Bearer ${await createCredential(pool, { role: 'operator', force: null })}` };
    const read = async (path: string, headers: Record<string, string>) => {
      const response = await fetch(`${base}${path}`, { headers });
      return { status: response.status, body: (await response.json()) };
    };

    const upload = await fetch(`${base}/v1/documents`, { method: 'POST', body: 'month,count\n2025-04,12\n2025-05,9\n', headers: { ...auth, 'content-type': 'text/csv' } });
    expect(upload.status).toBe(201);
    expectAsDescribed('/v1/documents', 'post', 201, 'application/json', await upload.json());
    const list = await read('/v1/documents', auth);
    expect(list.status).toBe(200);
    expectAsDescribed('/v1/documents', 'get', 200, 'application/json', list.body);

    for (const path of ['/v1/dead-letters', '/v1/pipeline', '/v1/publications', '/v1/completeness?period=2025-H1&dataset=crime']) {
      const answer = await read(path, operator);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      expectAsDescribed(path.split('?')[0]!, 'get', 200, 'application/json', answer.body);
      const forbidden = await read(path.split('?')[0]!, auth);
      if (path !== '/v1/completeness?period=2025-H1&dataset=crime') expectAsDescribed(path, 'get', 403, 'application/problem+json', forbidden.body);
    }

    const metrics = await fetch(`${base}/metrics`, { headers: operator });
    expect({ status: metrics.status, type: metrics.headers.get('content-type') }).toEqual({ status: 200, type: expect.stringMatching(/^text\/plain/) as unknown });
    expect(Object.keys((doc.paths['/metrics']!.get as { responses: Record<string, { content: object }> }).responses['200']!.content)).toEqual(['text/plain']);

    expectAsDescribed('/console/reference.json', 'get', 200, 'application/json', (await read('/console/reference.json', {})).body);
    const signIn = await fetch(`${base}/console/session`, { method: 'POST', body: JSON.stringify({ token: kent }), headers: { 'content-type': 'application/json' } });
    expect(signIn.status).toBe(403);
    expectAsDescribed('/console/session', 'post', 403, 'application/problem+json', await signIn.json());
  });
});
