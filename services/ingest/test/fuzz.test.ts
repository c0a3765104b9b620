// The fuzz suite (issue 10): generated hostile requests against ingest on the real broker,
// PostgreSQL and S3. Expect no 5xx and no crash; every refusal coded (a rule code for a line, a
// problem type for a request); the good events in the same batches all accepted; and the raw
// topic holding exactly what the receipts accepted. CI runs FUZZ_REQUESTS=10,000 (the default);
// `npm run fuzz` runs 100,000 and prints the table of answers by rule code.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { contractFieldNames, personalDataKinds } from '@vawg/contracts';
import { eventually, uniqueName } from '@vawg/testing';
import { createCredential, type Receipt } from '../src/index.ts';
import { startIngestFixture, type IngestFixture } from './ingest-fixture.ts';
import { fuzzRequests, type FuzzRequest } from './fuzz/requests.ts';

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const CONCURRENCY = 8;
const CHUNK = 500;
/** The words a rule code is made of: the contract's field names, indices, and the rules' own words (contracts/README.md). */
const RULE_WORDS = new Set([
  ...contractFieldNames(),
  'event', 'line', 'return', 'crime', 'unknown-field', 'missing', 'invalid', 'too-long', 'invalid-unicode', 'personal-data', ...personalDataKinds,
  'not-an-object', 'too-many-fields', 'too-early', 'in-future', 'not-ended', 'not-credential-force', 'malformed-json', 'invalid-utf8', 'too-large', 'too-deep',
  'document-not-uploaded', 'document-size-mismatch',
]);
const coded = (code: string) => code.split('.').every((word) => RULE_WORDS.has(word) || /^\d+$/.test(word));


describe('fuzzing the ingest API', () => {
  let fx: IngestFixture;
  let tokens: { force: string; token: string }[];
  let port: number;

  beforeAll(async () => {
    fx = await startIngestFixture('fuzz', { ingest: { fairShare: { requests: { perForce: 64, total: 256 }, events: { rate: 1e7, burst: 1e7 } } } });
    port = Number(new URL(await fx.app.listen({ port: 0, host: '127.0.0.1' })).port);
    tokens = await Promise.all(['kent', 'essex', 'surrey', 'dorset'].map(async (force) => ({ force, token: await createCredential(fx.pool, { role: 'force', force }) })));
  });
  afterAll(async () => fx?.stop());

  it(`answers ${TOTAL} hostile requests with no 5xx, every refusal coded, every good event accepted and durable`, async () => {
    const table = new Map<string, number>();
    const tally = (key: string) => table.set(key, (table.get(key) ?? 0) + 1);
    const failures: string[] = [];
    const fail = (r: FuzzRequest, why: string) => {
      if (failures.length < 5) failures.push(`${why.slice(0, 400)}: ${r.method} ${r.url.slice(0, 120)} ${r.kind} ${JSON.stringify(r.body?.subarray(0, 300).toString('utf8') ?? '')}`);
    };
    let accepted = 0;
    let goodLines = 0;
    let goodSent = 0;
    const byKind = new Map<string, { accepted: number; refused: number }>();

    const send = async (r: FuzzRequest) => {
      goodSent += (r.lines ?? []).filter((l) => l.goodId).length;
      if (r.kind === 'truncated-body') return sendCut(r);
      const response = await fx.app.inject({ method: r.method, url: r.url, headers: r.headers, remoteAddress: r.remoteAddress, ...(r.body ? { payload: r.body } : {}) });
      const type = String(response.headers['content-type'] ?? '');
      if (response.statusCode >= 500) return fail(r, `answered ${response.statusCode} ${response.body.slice(0, 200)}`);
      // A batch is refused whole only when a line names another force (403): then nothing of it is taken.
      if (r.lines?.some((l) => l.goodId) && response.statusCode !== 202 && !(response.statusCode === 403 && response.body.includes('wrong-force'))) {
        return fail(r, `a batch with good lines answered ${response.statusCode}`);
      }
      if (response.statusCode >= 400) {
        const problem = type.startsWith('application/problem+json') ? response.json<{ type?: string; status?: number }>() : null;
        if (!problem?.type?.startsWith('/problems/') || problem.status !== response.statusCode) return fail(r, `an uncoded ${response.statusCode}: ${response.body.slice(0, 200)}`);
        return tally(`${response.statusCode} ${problem.type}`);
      }
      if (r.url !== '/v1/events' || r.method !== 'POST') return tally(`${response.statusCode} ${r.kind}`);
      if (response.statusCode !== 202) return fail(r, `answered ${response.statusCode}`);
      const receipt = response.json<Receipt>();
      accepted += receipt.accepted;
      for (const result of receipt.results) {
        if (result.status === 'accepted') {
          tally('202 line accepted');
          continue;
        }
        if (!coded(result.code) || result.message.length === 0 || !/^[0-9a-f]{64}$/.test(result.sha256)) fail(r, `an uncoded refusal ${JSON.stringify(result)}`);
        tally(`202 line ${result.code.replace(/\.\d+(?=\.|$)/g, '.N')}`);
      }
      // Every good event of the batch accepted, whatever shares its batch. NDJSON numbers lines
      // as the sender does (blank ones skipped but counted); a JSON array by element.
      for (const [i, l] of (r.lines ?? []).entries()) {
        const result = receipt.results.find((x) => x.line === i + 1);
        const kind = byKind.get(l.kind) ?? { accepted: 0, refused: 0 };
        kind[result?.status === 'accepted' ? 'accepted' : 'refused'] += 1;
        byKind.set(l.kind, kind);
        if (!l.goodId) continue;
        goodLines += 1;
        if (result?.status !== 'accepted' || result.eventId !== l.goodId) fail(r, `good line ${i + 1} not accepted: ${JSON.stringify(result)}`);
      }
    };

    /**
     * A body cut short of the length its headers give (app.inject would correct the length), on a
     * real connection: the sender stops and closes its side. Nothing of it may be acknowledged.
     */
    const sendCut = async (r: FuzzRequest) => {
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`POST /v1/events HTTP/1.1\r\nhost: fuzz\r\nx-forwarded-for: ${r.remoteAddress}\r\n${headers}content-length: ${r.body!.length + 100}\r\n\r\n`);
      socket.end(r.body!);
      let answer = '';
      socket.on('data', (chunk: Buffer) => { answer += chunk.toString(); });
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('close', resolve));
      const status = /^HTTP\/1.1 (\d{3})/.exec(answer)?.[1] ?? 'no answer';
      if (status.startsWith('5') || status === '202') fail(r, `a truncated body answered ${status}`);
      tally(`truncated body: ${status}`);
    };

    for (let chunk = 0; chunk * CHUNK < TOTAL; chunk += 1) {
      const requests = fc.sample(fuzzRequests(tokens), { numRuns: Math.min(CHUNK, TOTAL - chunk * CHUNK), seed: SEED + chunk });
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) await send(requests[next++]!);
      }));
      expect(failures).toEqual([]);
    }
    expect((await fx.app.inject('/healthz')).statusCode).toBe(200);
    // Every good line sent was checked, but those of batches refused whole for naming another force.
    expect(goodLines).toBeGreaterThan(goodSent * 0.95);

    // What the receipts accepted is on the raw topic: no more, no less.
    let onTopic = 0;
    const subscription = await fx.bus.subscribe({ groupId: uniqueName('fuzz-read'), topics: [fx.topics.raw], handler: (b) => {
      onTopic += b.messages.length;
      return Promise.resolve();
    } });
    await eventually(() => expect(onTopic).toBe(accepted), { timeoutMs: 120_000 });
    await subscription.stop();

    if (process.env.FUZZ_TABLE) {
      const rows = [...table].sort((a, b) => b[1] - a[1]);
      console.log(`\n${TOTAL} requests (seed ${SEED}): 0 answered 5xx, 0 refusals uncoded, ${goodLines} good lines all accepted, ${accepted} events accepted and on the raw topic\n`);
      console.log('| answer (a request, or a line of a 202 batch) | count |\n|---|---|');
      for (const [key, n] of rows) console.log(`| ${key} | ${n} |`);
      console.log('\n| line made by | accepted | refused |\n|---|---|---|');
      for (const [kind, n] of [...byKind].sort((a, b) => a[0].localeCompare(b[0]))) console.log(`| ${kind} | ${n.accepted} | ${n.refused} |`);
    }
  }, 3_600_000);
});
