// POST /v1/documents against the real PostgreSQL, S3 endpoint and broker: each type taken by its
// content, refusals with their own codes, the 25 MiB limit without reading on, and returns that
// cite documents the force never uploaded refused line by line.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pool } from '@vawg/db';
import { type ObjectStore } from '@vawg/store';
import { type HttpApp } from '@vawg/http';
import { syntheticReturnDocuments } from '@vawg/synthetic';
import { createCredential, type Receipt } from '../src/index.ts';
import { MAX_DOCUMENT_BYTES } from '../src/document-receive.ts';
import { startIngestFixture, type IngestFixture } from './ingest-fixture.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** `total` bytes of CSV (16-byte lines, so whole lines in any multiple of 16) made as they are read, counting how many were. */
function generated(total: number) {
  const line = Buffer.from('2025-04,12,3456\n');
  const state = { produced: 0 };
  const stream = new Readable({
    read() {
      if (state.produced >= total) return void this.push(null);
      const n = Math.min(64 * 1024, total - state.produced);
      const chunk = Buffer.alloc(n);
      for (let i = 0; i < n; i++) chunk[i] = line[(state.produced + i) % line.length]!;
      state.produced += n;
      this.push(chunk);
    },
  });
  return { stream, state };
}

// A full garbage collection on demand, so what is measured is what is still held, not what awaits collection.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The most memory held in buffers (after collecting garbage) above what was held before, while `work` runs. */
async function liveBuffersWhile<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  gc();
  const before = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const sampler = setInterval(() => {
    gc();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
  }, 20);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * What one upload may hold: the store's 5 MiB part buffer, and while a part is sent, the SDK's copy
 * of it and the socket's; the same for any size of document, below the 25 MiB that holding it whole would take.
 */
const LIVE_BOUND = 20 * 1024 * 1024;

describe('documents for returns', () => {
  let fx: IngestFixture;
  let pool: Pool;
  let store: ObjectStore;
  let app: HttpApp;
  let kent: string;
  let essex: string;
  let operator: string;
  const upload = (token: string | null, payload: Buffer | Readable | string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/documents', payload, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const send = async (token: string, events: object[]) => {
    const response = await app.inject({ method: 'POST', url: '/v1/events', payload: events.map((e) => JSON.stringify(e)).join('\n'),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' } });
    expect(response.statusCode).toBe(202);
    return response.json<Receipt>();
  };
  const aReturn = (force: string, kpi: string, documents: { name: string; sha256: string; bytes: number }[]) => ({
    eventId: randomUUID(), type: 'return.submitted', schemaVersion: 1, force, occurredAt: '2025-10-06', producedAt: '2025-10-06T10:00:00Z',
    payload: { kpi, period: '2025-H1', summary: `Return for KPI ${kpi}: synthetic.`, documents },
  });
  const incoming = async () => [...await store.list('documents-incoming/')];

  beforeAll(async () => {
    fx = await startIngestFixture('documents', { ingest: { documentConcurrency: { perForce: 2, total: 3 } } });
    ({ pool, store, app } = fx);
    kent = await createCredential(pool, { role: 'force', force: 'kent' });
    essex = await createCredential(pool, { role: 'force', force: 'essex' });
    operator = await createCredential(pool, { role: 'operator', force: null });
  });
  afterAll(async () => fx?.stop());

  it('takes each type by its content, stores it under its digest for its force, and answers the same for the same bytes', async () => {
    const [csv, pdf] = syntheticReturnDocuments('kent', '2025-H1');
    const cases: [Buffer, string][] = [
      [csv!.body, 'text/csv'],
      [pdf!.body, 'application/pdf'],
      [fixture('return-qpdf.pdf'), 'application/pdf'],
      [fixture('return.odt'), 'application/vnd.oasis.opendocument.text'],
      [fixture('return-infozip.docx'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      [fixture('return-streamed.docx'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ];
    for (const [body, mediaType] of cases) {
      // Declared as anything at all, or nothing: only the bytes count.
      const response = await upload(kent, body, { 'content-type': 'application/octet-stream' });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({ sha256: sha256(body), bytes: body.length, mediaType });
      expect(response.headers.location).toBe(`/v1/documents/${sha256(body)}`);
      const stored = await store.get(`documents/kent/${sha256(body)}`);
      expect(stored && sha256(stored)).toBe(sha256(body));
      expect((await store.head(`documents/kent/${sha256(body)}`))?.contentType).toBe(mediaType);
    }
    // A CSV declared as a PDF is a CSV; sent with no type at all, the same.
    const again = await upload(kent, csv!.body, { 'content-type': 'application/pdf' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ sha256: sha256(csv!.body), bytes: csv!.body.length, mediaType: 'text/csv' });
    expect((await upload(kent, csv!.body)).statusCode).toBe(200);
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ingest.documents WHERE force = 'kent'`);
    expect(rows[0]!.n).toBe(cases.length);
    expect(await incoming()).toEqual([]);
  });

  it('refuses what is not a document, whatever it is called, and an empty body, keeping nothing', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(2048, 9)]);
    for (const [body, type] of [[png, 'application/pdf'], [fixture('archive.zip'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      [fixture('sheet.ods'), 'application/vnd.oasis.opendocument.text'], [Buffer.from('Dear colleague,\nplease find attached.\n'), 'text/csv']] as const) {
      const response = await upload(kent, body, { 'content-type': type });
      expect(response.json()).toMatchObject({ status: 415, type: '/problems/unsupported-document' });
      expect(await store.head(`documents/kent/${sha256(body)}`)).toBeNull();
    }
    expect((await upload(kent, '')).json()).toMatchObject({ status: 400, type: '/problems/empty-document' });
    expect((await upload(kent, Readable.from([]), { 'content-type': 'text/csv' })).json()).toMatchObject({ status: 400, type: '/problems/empty-document' });
    expect(await incoming()).toEqual([]);
  });

  it('takes documents only from a force: no credential 401, an operator 403', async () => {
    const csv = Buffer.from('a,b\n1,2\n');
    expect((await upload(null, csv)).json()).toMatchObject({ status: 401, type: '/problems/unauthorized' });
    expect((await upload('vawg_forged', csv)).json()).toMatchObject({ status: 401, type: '/problems/unauthorized' });
    expect((await upload(operator, csv)).json()).toMatchObject({ status: 403, type: '/problems/forbidden' });
    expect((await upload(kent, csv, { 'x-vawg-force': 'essex' })).json()).toMatchObject({ status: 403, type: '/problems/wrong-force' });
    expect(await store.head(`documents/kent/${sha256(csv)}`)).toBeNull();
  });

  it('refuses over 25 MiB: at once when declared, and when streamed stops reading and keeps nothing', async () => {
    // A declared length over the limit is answered before a byte of the body is read.
    const declared = await upload(kent, Buffer.from('a,b\n'), { 'content-length': String(MAX_DOCUMENT_BYTES + 1) });
    expect(declared.json()).toMatchObject({ status: 413, type: '/problems/document-too-large' });

    const source = generated(64 * 1024 * 1024);
    const tooBig = await liveBuffersWhile(() => upload(kent, source.stream, { 'content-type': 'text/csv' }));
    expect(tooBig.result.json()).toMatchObject({ status: 413, type: '/problems/document-too-large' });
    expect(tooBig.result.headers.connection).toBe('close');
    // Read up to the limit and a few chunks past it, never the 64 MiB sent.
    expect(source.state.produced).toBeGreaterThan(MAX_DOCUMENT_BYTES);
    expect(source.state.produced).toBeLessThan(MAX_DOCUMENT_BYTES + 2 * 1024 * 1024);
    // One 5 MiB part at a time: never the document whole.
    expect(tooBig.peak).toBeLessThan(LIVE_BOUND);
    expect(await incoming()).toEqual([]);
    const { rows } = await pool.query(`SELECT 1 FROM ingest.documents WHERE bytes > $1`, [MAX_DOCUMENT_BYTES]);
    expect(rows).toEqual([]);

    // Exactly 25 MiB of valid CSV, streamed, is taken, hashed right.
    const whole = generated(MAX_DOCUMENT_BYTES);
    const hash = createHash('sha256');
    for await (const chunk of generated(MAX_DOCUMENT_BYTES).stream) hash.update(chunk as Buffer);
    const { result: taken, peak } = await liveBuffersWhile(() => upload(kent, whole.stream, { 'content-type': 'text/csv' }));
    expect(taken.statusCode).toBe(201);
    expect(peak).toBeLessThan(LIVE_BOUND);
    expect(taken.json()).toEqual({ sha256: hash.digest('hex'), bytes: MAX_DOCUMENT_BYTES, mediaType: 'text/csv' });
    expect(await incoming()).toEqual([]);
  }, 120_000);

  it('answers 413 over a real connection to a sender still sending, and the sender hears it', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const source = generated(64 * 1024 * 1024);
    const response = await fetch(`${address}/v1/documents`, {
      method: 'POST', body: Readable.toWeb(source.stream), duplex: 'half',
      headers: { authorization: `Bearer ${kent}`, 'content-type': 'text/csv' },
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ type: '/problems/document-too-large' });
    expect(source.state.produced).toBeLessThan(40 * 1024 * 1024);
    expect(await incoming()).toEqual([]);
  }, 60_000);

  it("lets a force read and list its own documents, and no other force's; an operator reads any, naming the force", async () => {
    const csv = Buffer.from('kpi,value\n2.1,4\n');
    const { sha256: digest } = (await upload(essex, csv)).json<{ sha256: string }>();
    const read = (token: string, path = digest) => app.inject({ url: `/v1/documents/${path}`, headers: { authorization: `Bearer ${token}` } });
    const mine = await read(essex);
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['content-type']).toMatch(/^text\/csv/);
    expect(mine.rawPayload).toEqual(csv);
    expect((await read(kent)).json()).toMatchObject({ status: 404, type: '/problems/not-found' });
    expect((await read(operator)).json()).toMatchObject({ status: 400, type: '/problems/bad-query' });
    const asOperator = await read(operator, `${digest}?force=essex`);
    expect(asOperator.rawPayload).toEqual(csv);
    // A download, never rendered on the API's (and the console's) origin.
    expect(asOperator.headers['content-disposition']).toMatch(/^attachment/);
    expect(asOperator.headers['x-content-type-options']).toBe('nosniff');
    expect((await read(operator, `${digest}?force=kent`)).statusCode).toBe(404);
    expect((await read(kent, `${digest}?force=essex`)).json()).toMatchObject({ status: 403, type: '/problems/wrong-force' });
    expect((await read(essex, 'not-a-digest')).statusCode).toBe(404);
    const list = (token: string) => app.inject({ url: '/v1/documents', headers: { authorization: `Bearer ${token}` } });
    expect((await list(essex)).json<{ documents: { sha256: string }[] }>().documents.map((d) => d.sha256)).toEqual([digest]);
    expect((await list(kent)).json<{ documents: { sha256: string }[] }>().documents.map((d) => d.sha256)).not.toContain(digest);
    expect((await list(operator)).json<{ documents: { force: string; sha256: string }[] }>().documents).toEqual(expect.arrayContaining([expect.objectContaining({ force: 'essex', sha256: digest })]));
  });

  it('refuses, line by line, a return citing a document its force never uploaded or with another size', async () => {
    const [csv, pdf] = syntheticReturnDocuments('surrey', '2025-H1');
    const surrey = await createCredential(pool, { role: 'force', force: 'surrey' });
    expect((await upload(surrey, csv!.body)).statusCode).toBe(201);
    expect((await upload(surrey, pdf!.body)).statusCode).toBe(201);
    const cite = (d: { name: string; body: Buffer }) => ({ name: d.name, sha256: sha256(d.body), bytes: d.body.length });
    const kentsOwn = Buffer.from('a,b\nkent,1\n');
    expect((await upload(kent, kentsOwn)).statusCode).toBe(201);

    const receipt = await send(surrey, [
      aReturn('surrey', '2.1', [cite(csv!), cite(pdf!)]),
      aReturn('surrey', '3.1', [cite(csv!), { name: 'never-sent.pdf', sha256: sha256(Buffer.from('never sent')), bytes: 10 }]),
      aReturn('surrey', '4.1', [{ ...cite(pdf!), bytes: pdf!.body.length + 1 }]),
      aReturn('surrey', '9.1', [{ name: 'kents.csv', sha256: sha256(kentsOwn), bytes: kentsOwn.length }]),
      aReturn('surrey', '10.1', []),
    ]);
    expect(receipt.results.map((r) => (r.status === 'refused' ? r.code : r.status))).toEqual([
      'accepted', 'return.document-not-uploaded', 'return.document-size-mismatch', 'return.document-not-uploaded', 'accepted',
    ]);
    const refused = receipt.results[1];
    expect(refused?.status === 'refused' && refused.message).toMatch(/documents\.1 \(sha256 [0-9a-f]{64}\) was never uploaded by surrey/);
    // Kent, which uploaded it, may cite it.
    expect((await send(kent, [aReturn('kent', '9.1', [{ name: 'kents.csv', sha256: sha256(kentsOwn), bytes: kentsOwn.length }])])).accepted).toBe(1);
  });

  it('takes a bounded number of uploads at once, per force and in all, and answers the rest 429', async () => {
    // Uploads that have started and stall: each holds a slot until its sender finishes.
    const stalled = [new PassThrough(), new PassThrough(), new PassThrough()];
    const started = [upload(kent, stalled[0]!, { 'content-type': 'text/csv' }), upload(kent, stalled[1]!, { 'content-type': 'text/csv' })];
    for (const s of stalled.slice(0, 2)) s.write('kpi,value\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const third = await upload(kent, 'kpi,value\n2.1,4\n', { 'content-type': 'text/csv' });
    expect(third.statusCode).toBe(429);
    expect(third.json()).toMatchObject({ type: '/problems/too-many-uploads' });
    expect(third.headers['retry-after']).toBe('10');
    // Another force still has room, up to the total.
    const other = upload(essex, stalled[2]!, { 'content-type': 'text/csv' });
    stalled[2]!.write('kpi,value\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await upload(essex, 'kpi,value\n2.1,5\n', { 'content-type': 'text/csv' })).statusCode).toBe(429);
    for (const [i, s] of stalled.entries()) s.end(`2.${i + 1},${i + 7}\n`);
    expect((await Promise.all([...started, other])).map((r) => r.statusCode)).toEqual([201, 201, 201]);
    // Their slots are free again.
    expect((await upload(kent, 'kpi,value\n2.1,4\n', { 'content-type': 'text/csv' })).statusCode).toBeLessThan(300);
  });
});
