// The ingest API against the real broker, PostgreSQL and S3: errors, security, receipts.
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bus } from '@vawg/bus';
import { type Pool } from '@vawg/db';
import { type ObjectStore } from '@vawg/store';
import { type HttpApp } from '@vawg/http';
import { eventually, uniqueName } from '@vawg/testing';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { createCredential, type Receipt } from '../src/index.ts';
import { MAX_BODY_BYTES } from '../src/decode-body.ts';
import { startIngestFixture, type IngestFixture } from './ingest-fixture.ts';
import fc from 'fast-check';
import { arbitraryEvent } from '@vawg/contracts/arbitraries';

describe('the ingest API', () => {
  let fx: IngestFixture;
  let pool: Pool;
  let bus: Bus;
  let store: ObjectStore;
  let app: HttpApp;
  let kent: string;
  let essex: string;
  const crimes = syntheticCrimes(seeded(11), { force: 'kent', count: 3, from: '2025-04-01', to: '2025-04-30' });
  const ndjson = crimes.map((c) => JSON.stringify(c)).join('\n');
  const post = (token: string | null, payload: string | Buffer, type = 'application/x-ndjson', headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/events', payload, headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

  beforeAll(async () => {
    fx = await startIngestFixture('ingest');
    ({ pool, store, app, bus } = fx);
    kent = await createCredential(pool, { role: 'force', force: 'kent' });
    essex = await createCredential(pool, { role: 'force', force: 'essex' });
  });
  afterAll(async () => fx?.stop());

  it('acknowledges only once the events are in Kafka and archived as checked, with the hash of the body as received', async () => {
    const response = await post(kent, ndjson);
    expect(response.statusCode).toBe(202);
    const receipt = response.json<Receipt>();
    expect(receipt).toMatchObject({ force: 'kent', lines: 3, accepted: 3, refused: 0 });
    const archived = await store.list(`raw/kent/`);
    expect(archived).toHaveLength(1);
    const lines = (await store.get(archived[0]!))?.toString().trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual(crimes.map((c) => JSON.parse(JSON.stringify(c)) as unknown));
    const { rows } = await pool.query<{ body_sha256: string }>('SELECT body_sha256 FROM ingest.submissions WHERE submission_id = $1', [receipt.submissionId]);
    expect(rows[0]!.body_sha256).toBe(createHash('sha256').update(ndjson).digest('hex'));
    const seen: string[] = [];
    const subscription = await bus.subscribe({ groupId: uniqueName('peek'), topics: [fx.topics.raw], handler: (b) => {
      seen.push(...b.messages.map((m) => (JSON.parse(m.value.toString()) as { event: { eventId: string } }).event.eventId));
      return Promise.resolve();
    } });
    await eventually(() => expect(seen.sort()).toEqual(crimes.map((c) => c.eventId).sort()));
    await subscription.stop();

    const again = await app.inject({ url: `/v1/submissions/${receipt.submissionId}`, headers: { authorization: `Bearer ${kent}` } });
    // The receipt again, and how far its events have got (no validate runs here: none yet).
    const { progress, ...rest } = again.json<{ progress: Record<string, unknown> }>();
    expect(rest).toEqual(receipt);
    expect(progress).toMatchObject({ accepted: receipt.accepted, validated: 0, counted: 0, complete: false });
    const operator = await createCredential(pool, { role: 'operator', force: null });
    expect((await app.inject({ url: `/v1/submissions/${receipt.submissionId}`, headers: { authorization: `Bearer ${operator}` } })).statusCode).toBe(200);
    expect((await app.inject({ url: `/v1/submissions/${receipt.submissionId}`, headers: { authorization: `Bearer ${essex}` } })).statusCode).toBe(404);
  });

  it('answers each whole-request error with its own status and a problem document', async () => {
    // One after another: at once, they would be over the force's share of batches in progress.
    const cases: [number, string, () => Promise<{ statusCode: number; json: () => unknown; body: string }>][] = [
      [401, '/problems/unauthorized', () => post(null, ndjson)],
      [401, '/problems/unauthorized', () => post('vawg_forged', ndjson)],
      [403, '/problems/wrong-force', () => post(essex, ndjson)],
      [403, '/problems/wrong-force', () => post(kent, ndjson, 'application/x-ndjson', { 'x-vawg-force': 'essex' })],
      [400, '/problems/malformed-body', () => post(kent, '{"not":"an array"}', 'application/json')],
      [400, '/problems/malformed-body', () => post(kent, '', 'application/x-ndjson')],
      [413, '/problems/body-too-large', () => post(kent, Buffer.alloc(MAX_BODY_BYTES + 1, 0x20))],
      [413, '/problems/too-many-events', () => post(kent, '{}\n'.repeat(10_001))],
      [415, '/problems/unsupported-media-type', () => post(kent, ndjson, 'text/plain')],
    ];
    for (const [status, type, send] of cases) {
      const response = await send();
      expect({ status: response.statusCode, body: response.json() }).toMatchObject({ status, body: { status, type } });
      expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('refuses bad lines one by one and accepts the good ones in the same batch', async () => {
    const body = [JSON.stringify(crimes[0]), '{"broken"', JSON.stringify({ ...crimes[1], payload: { ...crimes[1]!.payload, victim: { ...crimes[1]!.payload.victim, sex: 'x' } } })].join('\n');
    const receipt = (await post(kent, body)).json<Receipt>();
    expect(receipt.results.map((r) => (r.status === 'refused' ? r.code : r.status))).toEqual(['accepted', 'line.malformed-json', 'payload.victim.sex.invalid']);
  });

  it("lets a force read its own refusals, with the original, and no other force's", async () => {
    const bad = { ...crimes[2], payload: { ...crimes[2]!.payload, offenceGroup: 'arson' } };
    expect((await post(kent, JSON.stringify(bad))).statusCode).toBe(202);
    const read = async (token: string, query = '') =>
      (await app.inject({ url: `/v1/refusals${query}`, headers: { authorization: `Bearer ${token}` } })).json<{ refusals: { eventId: string; code: string; original: unknown; force: string }[] }>();
    const mine = await eventually(async () => {
      const body = await read(kent);
      expect(body.refusals.map((r) => r.code)).toContain('payload.offenceGroup.invalid');
      return body.refusals;
    });
    expect(mine.every((r) => r.force === 'kent')).toBe(true);
    expect(mine.find((r) => r.code === 'payload.offenceGroup.invalid')).toMatchObject({ eventId: bad.eventId, original: bad });
    expect((await read(essex)).refusals).toEqual([]);
    expect((await read(essex, '?force=kent')).refusals).toEqual([]);
    const operator = await createCredential(pool, { role: 'operator', force: null });
    expect((await read(operator, '?force=kent')).refusals.length).toBe(mine.length);
    expect((await read(kent, `?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).refusals).toEqual([]);
    const badQuery = await app.inject({ url: '/v1/refusals?since=yesterday', headers: { authorization: `Bearer ${kent}` } });
    expect(badQuery.json()).toMatchObject({ status: 400, type: '/problems/bad-query' });
  });

  it('pages refusals newest first by a cursor, each page within its byte budget', async () => {
    // 100 returns citing 50 documents never uploaded (about 14 KB each, 1.4 MB of originals), in one batch.
    const [sample] = fc.sample(arbitraryEvent('return.submitted', 'essex'), { numRuns: 1, seed: 3 });
    const documents = Array.from({ length: 50 }, (_, d) => ({ name: `${'d'.repeat(180)}-${d}.pdf`, sha256: 'f'.repeat(64), bytes: 10 }));
    const big = Array.from({ length: 100 }, (_, i) => ({ ...sample!, eventId: randomUUID(), payload: { ...sample!.payload, summary: `PG-${i} ${'a'.repeat(3990)}`, documents } }));
    const receipt = (await post(essex, big.map((e) => JSON.stringify(e)).join('\n'))).json<Receipt>();
    expect(receipt.results.map((r) => r.status === 'refused' && r.code)).toEqual(big.map(() => 'return.document-not-uploaded'));
    type Page = { refusals: { eventId: string }[]; next: string | null };
    const page = async (query: string) => (await app.inject({ url: `/v1/refusals${query}`, headers: { authorization: `Bearer ${essex}` } })).json<Page>();
    await eventually(async () => {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ingest.refusals WHERE force = 'essex' AND original LIKE '%PG-%'`);
      expect(rows[0]!.n).toBe(100);
    });
    const seen: string[] = [];
    let next: string | null = '';
    let pages = 0;
    while (next !== null) {
      const body: Page = await page(`?limit=40${next ? `&after=${next}` : ''}`);
      expect(body.refusals.length).toBeLessThanOrEqual(40);
      seen.push(...body.refusals.map((r) => r.eventId));
      next = body.next;
      pages += 1;
    }
    expect(seen.sort()).toEqual(big.map((e) => e.eventId).sort());
    expect(pages).toBe(3);
    // One page of everything stops at about 1 MiB and says where to go on.
    const all = await page('?limit=1000');
    expect(all.refusals.length).toBeLessThan(100);
    expect(all.next).not.toBeNull();
    expect((await app.inject({ url: '/v1/refusals?after=not-a-cursor', headers: { authorization: `Bearer ${essex}` } })).json()).toMatchObject({ status: 400, type: '/problems/bad-query' });
  });

  it('serves the JSON Schema of every event type without a credential', async () => {
    const response = await app.inject('/v1/contracts');
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json<{ $defs: object }>().$defs)).toHaveLength(16);
  });

  it('answers an unknown sender 401 before reading its body, and closes the connection', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    for (const authorization of [undefined, 'Bearer not-a-credential']) {
      const answer = await new Promise<{ status: number; connection: string | undefined; sent: number }>((resolve, reject) => {
        let sent = 0;
        const request = httpRequest(`${base}/v1/events`, {
          method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'content-length': String(10 * 1024 * 1024), ...(authorization ? { authorization } : {}) },
        }, (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, sent });
          request.destroy();
        });
        request.on('error', (error) => { if (!request.destroyed) reject(error); });
        // 64 KiB of the 10 MiB announced, and then nothing: the answer must not wait for the rest.
        request.write(Buffer.alloc(64 * 1024, 0x20), () => { sent += 64 * 1024; });
      });
      expect(answer.status).toBe(401);
      expect(answer.connection).toBe('close');
      expect(answer.sent).toBeLessThanOrEqual(64 * 1024);
    }
  });

  it('answers a body dripped too slowly 408 and closes its connection', async () => {
    const slow = await startIngestFixture('drip', { requestTimeoutMs: 2_000 });
    try {
      const base = await slow.app.listen({ port: 0, host: '127.0.0.1' });
      const token = await createCredential(slow.pool, { role: 'force', force: 'kent' });
      const started = Date.now();
      const answer = await new Promise<{ status: number; afterMs: number; type?: string }>((resolve) => {
        const request = httpRequest(`${base}/v1/events`, {
          method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'content-length': '100000', authorization: `Bearer ${token}` },
        }, (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, afterMs: Date.now() - started, type: response.headers['content-type'] });
        });
        request.on('error', () => resolve({ status: -1, afterMs: Date.now() - started }));
        // One byte every 200 ms: 100,000 bytes would take hours.
        const drip = setInterval(() => { if (!request.destroyed) request.write(' '); }, 200);
        request.on('close', () => clearInterval(drip));
      });
      // Answered 408 once the whole request had not come in time (or, if the socket closed first, cut off).
      expect([408, -1]).toContain(answer.status);
      if (answer.status === 408) expect(answer.type).toBe('application/problem+json');
      expect(answer.afterMs).toBeLessThan(15_000);
    } finally {
      await slow.stop();
    }
  });

  it("keeps each force to its share: one at its limit gets 429 with Retry-After, another is served meanwhile", async () => {
    const fair = await startIngestFixture('fair', { ingest: { fairShare: { requests: { perForce: 2, total: 10 }, events: { rate: 1, burst: 100 } } } });
    try {
      const base = await fair.app.listen({ port: 0, host: '127.0.0.1' });
      const kentToken = await createCredential(fair.pool, { role: 'force', force: 'kent' });
      const essexToken = await createCredential(fair.pool, { role: 'force', force: 'essex' });
      // Two of kent's batches whose bodies are still coming: its share of requests in progress.
      const open = [0, 1].map(() => httpRequest(`${base}/v1/events`, {
        method: 'POST', headers: { 'content-type': 'application/x-ndjson', 'content-length': '100000', authorization: `Bearer ${kentToken}` },
      }));
      const closed = open.map((r) => new Promise((resolve) => { r.on('error', resolve); r.on('close', resolve); }));
      for (const r of open) r.write(' ');
      const send = (token: string, events: object[]) => fetch(`${base}/v1/events`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: events.map((e) => JSON.stringify(e)).join('\n'),
      });
      // Once the server holds both, a third waits. Probed with an empty batch, which takes a slot
      // (before its body is read) but no event: 400 while a slot is free, 429 once none is.
      const third = await eventually(async () => {
        const response = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${kentToken}`, 'content-type': 'application/x-ndjson' }, body: '' });
        expect(response.status).toBe(429);
        return response;
      }, { timeoutMs: 20_000 });
      expect(third.headers.get('retry-after')).toBe('1');
      expect(await third.json()).toMatchObject({ type: '/problems/too-many-requests' });
      // Essex is served all the while.
      const essexCrime = { ...crimes[1]!, eventId: randomUUID(), force: 'essex' };
      expect((await send(essexToken, [essexCrime])).status).toBe(202);
      for (const r of open) r.destroy();
      await Promise.all(closed);
      // Kent's slots free again; then its events a second: 100 at once, then it waits.
      const batch = Array.from({ length: 100 }, (_, i) => ({ ...crimes[0]!, eventId: randomUUID(), payload: { ...crimes[0]!.payload, crimeRef: `FS-${i}` } }));
      await eventually(async () => expect((await send(kentToken, batch)).status).toBe(202));
      // Ten more at once: ten seconds' worth at 1 a second, whatever time the last batch took.
      const over = await send(kentToken, Array.from({ length: 10 }, () => ({ ...crimes[0]!, eventId: randomUUID() })));
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await send(essexToken, [{ ...essexCrime, eventId: randomUUID() }])).status).toBe(202);
    } finally {
      await fair.stop();
    }
  });

  it("keeps another force's batches and /healthz answering while one sends the heaviest it may: a 1 MiB field, and 150 lines of 60 KiB", async () => {
    // Not timed (bench (g) measures the pace): here, that every answer comes, coded, and that the
    // other force's batches are answered while the heavy ones are still being checked.
    const word = (n: number) => 'w'.repeat(n);
    const line = (crimeRef: string) => ({ ...crimes[0]!, eventId: randomUUID(), payload: { ...crimes[0]!.payload, crimeRef } });
    const heavy = Array.from({ length: 150 }, () => JSON.stringify(line(word(60 * 1024)))).join('\n');
    const finished: string[] = [];
    const done = (name: string) => <T>(value: T) => { finished.push(name); return value; };
    const hostile = [
      post(kent, JSON.stringify([line(word(1 << 20))]), 'application/json').then(done('kent-1MiB')),
      ...[1, 2, 3].map((i) => post(kent, heavy).then(done(`kent-heavy-${i}`))),
    ];
    const health: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const batch = Array.from({ length: 100 }, (_, j) => JSON.stringify({ ...crimes[1]!, force: 'essex', eventId: randomUUID(), payload: { ...crimes[1]!.payload, crimeRef: `HV-${i}-${j}` } }));
      const answer = await post(essex, batch.join('\n'));
      expect(answer.statusCode).toBe(202);
      expect(answer.json<Receipt>()).toMatchObject({ accepted: 100 });
      finished.push('essex');
      health.push((await app.inject('/healthz')).statusCode);
    }
    const answers = await Promise.all(hostile);
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 202]);
    expect(answers[0]!.json<Receipt>().results[0]).toMatchObject({ status: 'refused', code: 'line.too-large' });
    expect(new Set(answers.slice(1).flatMap((a) => a.json<Receipt>().results.map((r) => r.status === 'refused' && r.code)))).toEqual(new Set(['payload.crimeRef.invalid']));
    expect(health).toEqual([200, 200, 200, 200, 200]);
    // Essex was answered while kent's heavy batches were still in hand, not after them.
    expect(finished.indexOf('essex')).toBeLessThan(finished.indexOf('kent-heavy-3'));
  });

  it("gives a force's slot back when its client is gone before the answer, even while its credential is looked up", async () => {
    const fair = await startIngestFixture('slots', { ingest: { fairShare: { requests: { perForce: 1, total: 2 }, events: { rate: 10_000, burst: 10_000 } } } });
    try {
      const base = new URL(await fair.app.listen({ port: 0, host: '127.0.0.1' }));
      // Fresh credentials, so each is looked up in PostgreSQL while its client has already gone.
      const tokens = await Promise.all(Array.from({ length: 12 }, () => createCredential(fair.pool, { role: 'force', force: 'kent' })));
      await Promise.all(tokens.map((token) => new Promise<void>((resolve) => {
        const socket = connect(Number(base.port), base.hostname, () => {
          socket.write(`POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100\r\n\r\n`);
          setImmediate(() => { socket.destroy(); resolve(); });
        });
        socket.on('error', () => resolve());
      })));
      const fresh = await createCredential(fair.pool, { role: 'force', force: 'kent' });
      await eventually(async () => {
        const response = await fetch(`${base.origin}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${fresh}`, 'content-type': 'application/x-ndjson' }, body: JSON.stringify({ ...crimes[0]!, eventId: randomUUID() }) });
        expect(response.status).toBe(202);
      }, { timeoutMs: 10_000 });
    } finally {
      await fair.stop();
    }
  });
});
