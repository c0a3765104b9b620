// 10,000 malformed request bodies against the running system: each gets a problem document (4xx)
// or a receipt refusing every line, never a 5xx; the service stays up; the good events sent before
// and after are all counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential } from '@vawg/ingest';
import { seeded, syntheticCrimes, type Random } from '@vawg/synthetic';
import { eventually } from '@vawg/testing';
import { startStackFixture, type StackFixture } from './stack-fixture.ts';

interface Hostile { body: Buffer; type: string; kind: string }

const BODIES = 10_000;
const CONCURRENCY = 8;

function hostileBodies(random: Random, template: object): Hostile[] {
  const line = JSON.stringify(template);
  const ndjson = (text: string | Buffer, kind: string): Hostile => ({ body: Buffer.isBuffer(text) ? text : Buffer.from(text), type: 'application/x-ndjson', kind });
  const json = (text: string | Buffer, kind: string): Hostile => ({ body: Buffer.isBuffer(text) ? text : Buffer.from(text), type: 'application/json', kind });
  const wrongTypes = [0, -1, 1e308, true, null, 'x', [], {}, [1, 2], { a: { b: 1 } }, '\u0000', '💥'];
  const fields = ['eventId', 'type', 'schemaVersion', 'force', 'occurredAt', 'producedAt', 'payload'];
  const makers: (() => Hostile)[] = [
    () => ndjson(line.slice(0, 1 + random.int(line.length - 2)), 'truncated'),
    () => json(`[${line.slice(0, random.int(line.length))}`, 'truncated-array'),
    () => ndjson(JSON.stringify({ ...template, [random.pick(fields)]: random.pick(wrongTypes) }), 'wrong-type'),
    () => ndjson(JSON.stringify({ ...template, payload: { ...(template as { payload: object }).payload, victim: random.pick(wrongTypes) } }), 'wrong-type-nested'),
    () => json(JSON.stringify(random.pick(wrongTypes)), 'not-an-array'),
    () => json(JSON.stringify([random.pick(wrongTypes), random.pick(wrongTypes)]), 'array-of-junk'),
    () => ndjson(JSON.stringify({ ...template, eventId: 'x'.repeat(20_000 + random.int(50_000)) }), 'huge-string'),
    () => ndjson(`${'['.repeat(100 + random.int(20_000))}${']'.repeat(10)}`, 'deep-nesting'),
    () => json(`${'['.repeat(100 + random.int(20_000))}`, 'deep-nesting-array'),
    () => ndjson(Buffer.concat([Buffer.from(line.slice(0, 20)), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(line.slice(20))]), 'invalid-utf8'),
    () => json(Buffer.concat([Buffer.from('[{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}]')]), 'invalid-utf8-array'),
    () => ndjson(`{"__proto__":{"polluted":true},${line.slice(1)}`, 'proto-pollution'),
    () => ndjson(JSON.stringify({ ...template, constructor: { prototype: { polluted: true } } }), 'constructor-pollution'),
    () => ndjson(`${line.slice(0, -1)},"payload":{"__proto__":{"polluted":true}}}`, 'proto-payload'),
    () => ndjson(Buffer.from(Array.from({ length: 1 + random.int(500) }, () => random.int(256))), 'binary'),
    () => ndjson(' \n\t\n ', 'blank'),
    () => ({ body: Buffer.from(line), type: random.pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x']), kind: 'wrong-media-type' }),
  ];
  const rare: (() => Hostile)[] = [
    () => ndjson('{}\n'.repeat(10_001), 'too-many-events'),
    () => ndjson(Buffer.alloc(10 * 1024 * 1024 + 1 + random.int(1000), 0x7b), 'too-large'),
  ];
  return Array.from({ length: BODIES }, (_, i) => (i % 1000 === 999 ? random.pick(rare) : random.pick(makers))());
}

describe('hostile input to POST /v1/events', () => {
  let stack: StackFixture;
  let token: string;
  beforeAll(async () => {
    stack = await startStackFixture();
    token = await createCredential(stack.pool, { role: 'force', force: 'kent' });
  });
  afterAll(async () => stack?.stop());

  const post = (body: Buffer | string, type: string) =>
    fetch(`${stack.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });

  it('answers every one with a 4xx or per-line refusals, stays up, and loses none of the good events', async () => {
    const random = seeded(666);
    const before = syntheticCrimes(random, { force: 'kent', count: 300, from: '2025-04-01', to: '2025-04-30', refPrefix: 'BEFORE' });
    const after = syntheticCrimes(random, { force: 'kent', count: 200, from: '2025-05-01', to: '2025-05-31', refPrefix: 'AFTER' });
    expect((await post(before.map((e) => JSON.stringify(e)).join('\n'), 'application/x-ndjson')).status).toBe(202);

    const bodies = hostileBodies(random, before[0]!);
    const statuses = new Map<string, number>();
    const failures: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const hostile = bodies[next++]!;
        const response = await post(hostile.body, hostile.type);
        const text = await response.text();
        statuses.set(`${hostile.kind} ${response.status}`, (statuses.get(`${hostile.kind} ${response.status}`) ?? 0) + 1);
        if (response.status === 202) {
          const receipt = JSON.parse(text) as { accepted: number; results: { status: string; code?: string }[] };
          if (receipt.accepted !== 0 || receipt.results.some((r) => r.status !== 'refused' || !r.code)) failures.push(`${hostile.kind}: accepted something: ${text.slice(0, 200)}`);
        } else if (response.status < 400 || response.status >= 500) {
          failures.push(`${hostile.kind}: ${response.status} ${text.slice(0, 200)}`);
        } else {
          const problem = JSON.parse(text) as { type?: string; status?: number; title?: string };
          if (problem.status !== response.status || !problem.type || !problem.title) failures.push(`${hostile.kind}: not a problem document: ${text.slice(0, 200)}`);
        }
      }
    }));
    expect(failures).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(BODIES);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);

    expect((await post(JSON.stringify(after), 'application/json')).status).toBe(202);
    await eventually(async () => {
      const { rows } = await stack.pool.query<{ month: string; value: number }>(
        `SELECT month, value FROM aggregate.cells WHERE force = 'kent' AND measure = 'crimes-recorded' AND split = 'all' ORDER BY month`);
      expect(rows).toEqual([{ month: '2025-04', value: 300 }, { month: '2025-05', value: 200 }]);
    }, { timeoutMs: 120_000 });
    const { rows } = await stack.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM aggregate.applied_events');
    expect(rows[0]?.n).toBe(500);
    console.info(`hostile input, by kind and status: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  }, 600_000);
});
