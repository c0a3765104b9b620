// The operators' console's session and the operator routes, over HTTP against the real broker,
// PostgreSQL and S3: who may open what, the cookie's attributes and limits (never on a POST, gone
// when it expires, is signed out or its credential revoked), and what the routes answer.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bus } from '@vawg/bus';
import { withTransaction, type Pool } from '@vawg/db';
import { deadLetterOf, forceIds } from '@vawg/contracts';
import { type HttpApp } from '@vawg/http';
import { storeDeadLetter } from '@vawg/pipeline';
import { eventually } from '@vawg/testing';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { createCredential } from '../src/index.ts';
import { deadLettersResponse, pipelineResponse, publicationsResponse } from '../src/api-description.ts';
import { sessionAccepted, sessionCookieOptions } from '../src/console-session.ts';
import { fileHref, isFilePath } from '../src/operator-routes.ts';
import { recentPeriods } from '../src/console-routes.ts';
import { ratesOf } from '../src/pipeline-view.ts';
import { startIngestFixture, type IngestFixture } from './ingest-fixture.ts';

type Injected = Awaited<ReturnType<HttpApp['inject']>>;

describe("the operators' console over HTTP", () => {
  let fx: IngestFixture;
  let pool: Pool;
  let bus: Bus;
  let app: HttpApp;
  let operator: string;
  let kent: string;
  const operatorSurfaces = ['/v1/dead-letters', '/v1/pipeline', '/v1/publications', '/v1/publications/2025-H1/1/files/report.html'];

  const signIn = (token: string) => app.inject({ method: 'POST', url: '/console/session', payload: { token } });
  const sessionOf = (response: Injected) => response.cookies.find((c) => c.name === 'vawg_session');
  const get = (url: string, cookie?: string, token?: string) => app.inject({
    url, headers: { ...(cookie ? { cookie: `vawg_session=${cookie}` } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const send = (token: string | null, lines: string, cookie?: string) => app.inject({
    method: 'POST', url: '/v1/events', payload: lines,
    headers: { 'content-type': 'application/x-ndjson', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(cookie ? { cookie: `vawg_session=${cookie}` } : {}) },
  });
  const signedIn = async () => {
    const response = await signIn(operator);
    expect(response.statusCode).toBe(204);
    return sessionOf(response)!.value;
  };

  beforeAll(async () => {
    fx = await startIngestFixture('console', { ingest: { console: { pipelineSampleMs: 300 } } });
    ({ pool, app, bus } = fx);
    operator = await createCredential(pool, { role: 'operator', force: null });
    kent = await createCredential(pool, { role: 'force', force: 'kent' });
  });
  afterAll(async () => fx?.stop());

  it('serves the page, its script and styles as files, with security headers and no inline script', async () => {
    const page = await app.inject({ url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
    // Every script is a file of this origin; no event-handler attributes.
    const scripts = [...page.body.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts).toEqual([' type="module" src="/console/console.js"']);
    expect(page.body).not.toMatch(/\son[a-z]+\s*=/i);
    expect(page.body).not.toMatch(/https?:\/\//);

    const script = await app.inject({ url: '/console/console.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.headers['content-security-policy']).toBe(csp);
    expect((await app.inject({ url: '/console/console.css' })).headers['content-type']).toMatch(/^text\/css/);
    expect(await app.inject({ url: '/console' })).toMatchObject({ statusCode: 302, headers: { location: '/console/' } });

    const reference = (await app.inject({ url: '/console/reference.json' })).json<{ forces: { id: string; name: string }[]; datasets: string[]; periods: string[] }>();
    expect(reference.forces.map((f) => f.id)).toEqual(forceIds);
    expect(reference.forces.find((f) => f.id === 'kent')?.name).toBe('Kent Police');
    expect(reference.datasets).toEqual(['crime', 'orders', 'dvds', 'allegations', 'returns']);
  });

  it("gives a force's credential 403 from every operator surface, and no session", async () => {
    const attempt = await signIn(kent);
    expect(attempt.statusCode).toBe(403);
    expect(attempt.json()).toMatchObject({ type: '/problems/operators-only', detail: expect.stringContaining("a force's credential does not open the console") as unknown });
    expect(sessionOf(attempt)).toBeUndefined();
    for (const url of operatorSurfaces) {
      const response = await get(url, undefined, kent);
      expect({ url, status: response.statusCode, type: response.json<{ type: string }>().type }).toEqual({ url, status: 403, type: '/problems/operators-only' });
    }
  });

  it('answers 401 without a credential or a session, and to a bad credential at sign-in', async () => {
    for (const url of operatorSurfaces) expect({ url, status: (await get(url)).statusCode }).toEqual({ url, status: 401 });
    expect((await get('/v1/dead-letters', 'A'.repeat(43))).statusCode).toBe(401);
    // The sixth failure in a row from one client: the throttle of every credential check holds it back a second.
    const started = Date.now();
    const bad = await signIn('vawg_not-a-credential');
    expect(bad.statusCode).toBe(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(sessionOf(bad)).toBeUndefined();
    expect((await app.inject({ method: 'POST', url: '/console/session', payload: {} })).statusCode).toBe(400);
  });

  it('signs an operator in with an HttpOnly, SameSite=Strict cookie whose id is stored only as a hash', async () => {
    const response = await signIn(operator);
    expect(response.statusCode).toBe(204);
    const cookie = sessionOf(response)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', maxAge: 8 * 3600 });
    expect(cookie.secure).toBeUndefined();
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { rows } = await pool.query<{ row: string; session_hash: string; expires_at: Date }>(
      'SELECT s::text AS row, session_hash, expires_at FROM ingest.console_sessions s');
    const mine = rows.find((r) => r.session_hash === createHash('sha256').update(cookie.value).digest('hex'));
    expect(mine).toBeDefined();
    expect(rows.some((r) => r.row.includes(cookie.value))).toBe(false);
    expect(Math.abs(mine!.expires_at.getTime() - Date.now() - 8 * 3600_000)).toBeLessThan(60_000);

    for (const url of ['/v1/dead-letters', '/v1/pipeline', '/v1/publications', '/v1/refusals', '/v1/completeness?period=2025-H1&dataset=crime']) {
      expect({ url, status: (await get(url, cookie.value)).statusCode }).toEqual({ url, status: 200 });
    }
  });

  it('never takes the cookie for a POST, nor for routes the console does not read', async () => {
    const session = await signedIn();
    const crimes = syntheticCrimes(seeded(3), { force: 'kent', count: 1, from: '2025-04-01', to: '2025-04-30' });
    const posted = await send(null, JSON.stringify(crimes[0]), session);
    expect(posted.statusCode).toBe(401);
    // …whoever sent it: with a force's credential it is the credential that counts.
    expect((await send(kent, JSON.stringify(crimes[0]), session)).statusCode).toBe(202);
    expect((await get('/v1/submissions/00000000-0000-4000-8000-000000000000', session)).statusCode).toBe(401);
    expect(sessionAccepted('POST', '/v1/events')).toBe(false);
    expect(sessionAccepted('GET', '/v1/events')).toBe(false);
    expect(sessionAccepted('GET', '/v1/dead-letters?force=kent')).toBe(true);
    expect(sessionAccepted('GET', '/v1/dead-lettersX')).toBe(false);
    expect(sessionAccepted('DELETE', '/v1/publications')).toBe(false);
  });

  it('ends a session at its expiry, when its credential is revoked, and at sign-out', async () => {
    const expiring = await signedIn();
    expect((await get('/v1/pipeline', expiring)).statusCode).toBe(200);
    await pool.query(`UPDATE ingest.console_sessions SET expires_at = now() - interval '1 second' WHERE session_hash = $1`,
      [createHash('sha256').update(expiring).digest('hex')]);
    expect((await get('/v1/pipeline', expiring)).statusCode).toBe(401);

    const other = await createCredential(pool, { role: 'operator', force: null });
    const revoked = sessionOf(await signIn(other))!.value;
    expect((await get('/v1/publications', revoked)).statusCode).toBe(200);
    await pool.query(`UPDATE ingest.credentials SET revoked_at = now() WHERE token_hash = $1`, [createHash('sha256').update(other).digest('hex')]);
    expect((await get('/v1/publications', revoked)).statusCode).toBe(401);

    const session = await signedIn();
    const out = await app.inject({ method: 'DELETE', url: '/console/session', headers: { cookie: `vawg_session=${session}` } });
    expect(out.statusCode).toBe(204);
    const cleared = sessionOf(out)!;
    expect(cleared.value).toBe('');
    expect(cleared.expires!.getTime()).toBeLessThan(Date.now());
    const { rows } = await pool.query('SELECT 1 FROM ingest.console_sessions WHERE session_hash = $1', [createHash('sha256').update(session).digest('hex')]);
    expect(rows).toEqual([]);
    expect((await get('/v1/dead-letters', session)).statusCode).toBe(401);
  });

  it('marks the cookie Secure over https, and behind a TLS proxy when told', () => {
    expect(sessionCookieOptions({ https: true, secure: false }).secure).toBe(true);
    expect(sessionCookieOptions({ https: false, secure: true }).secure).toBe(true);
    expect(sessionCookieOptions({ https: false, secure: false })).toMatchObject({ secure: false, httpOnly: true, sameSite: 'strict', path: '/' });
  });

  it('lists dead letters by force and by stage', async () => {
    const letter = (force: string, stage: 'validate' | 'aggregate', offset: number) => deadLetterOf(
      { topic: stage === 'validate' ? fx.topics.raw : fx.topics.valid, partition: 0, offset, key: force, value: Buffer.from(`{"n":${offset}}`), headers: {}, timestamp: Date.now() },
      { stage, error: new Error(`simulated failure ${offset}`), attempts: 3, firstFailedAt: new Date(), at: new Date(), serviceVersion: 'test' });
    await withTransaction(pool, async (client) => {
      await storeDeadLetter(client, letter('kent', 'aggregate', 7));
      await storeDeadLetter(client, letter('essex', 'validate', 9));
    });
    const session = await signedIn();
    const read = async (query: string) => deadLettersResponse.parse((await get(`/v1/dead-letters${query}`, session)).json()).deadLetters;
    expect((await read('')).map((l) => l.force).sort()).toEqual(['essex', 'kent']);
    expect(await read('?force=kent')).toEqual([expect.objectContaining({ force: 'kent', stage: 'aggregate', attempts: 3, status: 'dead', error: 'Error: simulated failure 7' })]);
    expect((await read('?stage=validate')).map((l) => l.force)).toEqual(['essex']);
    expect(await read('?force=kent&stage=validate')).toEqual([]);
    expect((await get('/v1/dead-letters?stage=nonsense', session)).statusCode).toBe(400);
    expect((await get('/v1/dead-letters?force=atlantis', session)).statusCode).toBe(400);
  });

  it('tells each stage its lag and throughput', async () => {
    const session = await signedIn();
    const pipeline = async () => pipelineResponse.parse((await get('/v1/pipeline', session)).json());
    const first = await pipeline();
    expect(first.stages.map((s) => s.stage)).toEqual(['ingest', 'validate', 'aggregate', 'refusals']);
    const crimes = syntheticCrimes(seeded(5), { force: 'kent', count: 40, from: '2025-05-01', to: '2025-05-31' });
    expect((await send(kent, crimes.map((c) => JSON.stringify(c)).join('\n'))).statusCode).toBe(202);
    // Nothing runs validate or aggregate here: all that reached the raw topic waits for validate.
    const raw = (await bus.endOffsets(fx.topics.raw)).reduce((a, b) => a + b, 0);
    expect(raw).toBeGreaterThanOrEqual(40);
    await eventually(async () => {
      const now = await pipeline();
      const stage = (name: string) => now.stages.find((s) => s.stage === name)!;
      expect(stage('validate').lag).toEqual({ messages: raw, seconds: expect.any(Number) as unknown });
      expect(stage('aggregate').lag?.messages).toBe(0);
      expect(stage('ingest').lag).toBeNull();
      expect(stage('ingest').throughput.eventsPerSecond).toBeGreaterThan(0);
      expect(stage('ingest').throughput.windowSeconds).toBeGreaterThanOrEqual(0);
      expect(stage('validate').throughput.eventsPerSecond).toBe(0);
    }, { timeoutMs: 20_000 });
  });

  it('lists no publications before publish ever ran, and serves only listed files with safe paths', async () => {
    const session = await signedIn();
    expect(publicationsResponse.parse((await get('/v1/publications', session)).json())).toEqual({ publications: [], runs: [] });
    for (const path of ['2025-H1/1/files/report.html', '2025-H1/1/files/..%2F..%2Fraw%2Fkent', 'nonsense/1/files/report.html', '2025-H1/0/files/a.csv']) {
      expect({ path, status: (await get(`/v1/publications/${path}`, session)).statusCode }).toEqual({ path, status: 404 });
    }
    expect(isFilePath('report.html')).toBe(true);
    expect(isFilePath('forces/kent.html')).toBe(true);
    expect(isFilePath('../raw/kent/x.ndjson')).toBe(false);
    expect(isFilePath('forces/../../x')).toBe(false);
    expect(isFilePath('.hidden')).toBe(false);
    expect(isFilePath('a//b')).toBe(false);
    expect(isFilePath('')).toBe(false);
    expect(isFilePath('a/b/c/d/e')).toBe(false);
    expect(fileHref('2025-H1', 2, 'forces/kent.html')).toBe('/v1/publications/2025-H1/2/files/forces/kent.html');
  });
});

describe('pure parts of the console', () => {
  it('offers the current financial half-year and the three before it', () => {
    expect(recentPeriods(new Date('2026-11-26T12:00:00Z'))).toEqual(['2026-H2', '2026-H1', '2025-H2', '2025-H1']);
    expect(recentPeriods(new Date('2026-02-01T12:00:00Z'))).toEqual(['2025-H2', '2025-H1', '2024-H2', '2024-H1']);
    expect(recentPeriods(new Date('2026-04-01T12:00:00Z'), 2)).toEqual(['2026-H1', '2025-H2']);
  });

  it('measures throughput between the oldest sample in the window and the newest', () => {
    const samples = [
      { at: 0, totals: { ingest: 0, validate: 0 } },
      { at: 60_000, totals: { ingest: 600, validate: 100 } },
      { at: 120_000, totals: { ingest: 1800, validate: 50 } },
    ];
    expect(ratesOf(samples, 300_000)).toEqual({ windowSeconds: 120, perSecond: { ingest: 15, validate: 50 / 120 } });
    expect(ratesOf(samples, 60_000)).toEqual({ windowSeconds: 60, perSecond: { ingest: 20, validate: 0 } });
    expect(ratesOf(samples.slice(0, 1), 300_000)).toEqual({ windowSeconds: 0, perSecond: { ingest: null, validate: null } });
    expect(ratesOf([], 300_000)).toEqual({ windowSeconds: 0, perSecond: {} });
  });
});
