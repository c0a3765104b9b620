// The walking skeleton end to end: two forces, two months, duplicates and shuffled arrival,
// through the HTTP API, the real broker, PostgreSQL and S3, to cells.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential } from '@vawg/ingest';
import { publishPeriod } from '@vawg/publish';
import type { CrimeRecorded } from '@vawg/contracts';
import { measures, type PublishedRow } from '@vawg/kpi';
import { seeded, shuffle, syntheticCrimes } from '@vawg/synthetic';
import { eventually } from '@vawg/testing';
import { startStackFixture, type StackFixture } from './stack-fixture.ts';

const ndjson = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n');

async function send(url: string, token: string, body: string, type = 'application/x-ndjson') {
  const response = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('events to published cells, end to end', () => {
  let stack: StackFixture;
  let kent: string;
  let essex: string;
  const random = seeded(2025);
  const kentCrimes = [
    ...syntheticCrimes(random, { force: 'kent', count: 37, from: '2025-04-01', to: '2025-04-30', refPrefix: 'K4' }),
    ...syntheticCrimes(random, { force: 'kent', count: 23, from: '2025-05-01', to: '2025-05-31', refPrefix: 'K5' }),
  ];
  const essexCrimes = [
    ...syntheticCrimes(random, { force: 'essex', count: 11, from: '2025-04-01', to: '2025-04-30', refPrefix: 'E4' }),
    ...syntheticCrimes(random, { force: 'essex', count: 3, from: '2025-05-01', to: '2025-05-31', refPrefix: 'E5' }),
  ];

  beforeAll(async () => {
    stack = await startStackFixture();
    kent = await createCredential(stack.pool, { role: 'force', force: 'kent' });
    essex = await createCredential(stack.pool, { role: 'force', force: 'essex' });
  }, 120_000);
  afterAll(async () => stack?.stop());

  it('counts every crime exactly once and publishes exact cells', async () => {
    // Kent sends in two shuffled batches that overlap (20 duplicates), one of them a JSON array,
    // plus a line that breaks the contract; Essex sends everything twice.
    const shuffled = shuffle(random, [...kentCrimes]);
    const first = await send(stack.url, kent, ndjson([...shuffled.slice(0, 40), { ...shuffled[0], payload: { crimeRef: 'X1' } }]));
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ lines: 41, accepted: 40, refused: 1 });
    const results = first.body.results as { status: string; code?: string }[];
    expect(results[40]).toMatchObject({ status: 'refused', code: 'payload.offenceGroup.missing' });
    const second = await send(stack.url, kent, JSON.stringify(shuffled.slice(20)), 'application/json');
    expect(second.body).toMatchObject({ lines: 40, accepted: 40, refused: 0 });
    for (let i = 0; i < 2; i++) expect((await send(stack.url, essex, ndjson(shuffle(random, [...essexCrimes])))).status).toBe(202);
    // Both declare June to September closed with nothing in them: true zeros, so their half-year stands.
    const closures = (force: string) => ['2025-06', '2025-07', '2025-08', '2025-09'].map((month, i) => ({
      eventId: `7e0c2b1e-9d3a-4c55-8f00-${force === 'kent' ? '1' : '2'}0000000000${i}`, type: 'submission.closed', schemaVersion: 1, force,
      occurredAt: '2025-10-02', producedAt: '2025-10-02T09:00:00Z', payload: { dataset: 'crime', month },
    }));
    expect((await send(stack.url, kent, ndjson(closures('kent')))).body).toMatchObject({ accepted: 4 });
    expect((await send(stack.url, essex, ndjson(closures('essex')))).body).toMatchObject({ accepted: 4 });

    const unique = kentCrimes.length + essexCrimes.length + 8;
    await eventually(async () => {
      const { rows } = await stack.pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM aggregate.applied_events');
      expect(rows[0]?.n).toBe(unique);
    }, { timeoutMs: 60_000 });

    const published = await publishPeriod({ pool: stack.pool, store: stack.store, serviceVersion: 'test' }, '2025-H1');
    expect(published).toMatchObject({ revision: 1, prefix: 'reports/2025-H1/r1/', unchanged: false });
    const cells = JSON.parse((await stack.store.get('reports/2025-H1/r1/cells.json'))!.toString()) as PublishedRow[];
    const csv = (await stack.store.get('reports/2025-H1/r1/cells.csv'))!.toString();
    expect(csv.trimEnd().split('\n')).toHaveLength(cells.length + 1);

    const value = (period: string, geography: string, split = 'all', category = 'all', measure = 'crimes-recorded') =>
      cells.find((r) => r.period === period && r.geography === geography && r.measure === measure && r.split === split && r.category === category);
    const count = (crimes: CrimeRecorded[], month: string, match: (c: CrimeRecorded) => boolean = () => true) =>
      crimes.filter((c) => c.occurredAt.startsWith(month) && match(c)).length;

    expect(value('2025-04', 'kent')?.value).toBe(37);
    expect(value('2025-05', 'kent')?.value).toBe(23);
    expect(value('2025-H1', 'kent')?.value).toBe(60);
    expect(value('2025-04', 'essex')?.value).toBe(11);
    expect(value('2025-H1', 'essex')?.value).toBe(14);
    expect(value('2025-H1', 'national')).toMatchObject({ value: 74, forcesIncluded: 2 });
    expect(value('2025-06', 'national')).toMatchObject({ value: 0, forcesIncluded: 2, forcesClosed: 2 });
    // Another force, which sent nothing, has no figure rather than 0.
    expect(value('2025-H1', 'surrey')).toMatchObject({ value: null, forcesIncluded: 0 });
    const all = [...kentCrimes, ...essexCrimes];
    const female = (c: CrimeRecorded) => c.payload.victim.sex === 'female';
    expect(value('2025-04', 'national', 'sex', 'female')?.value).toBe(count(all, '2025-04', female));
    const da = (c: CrimeRecorded) => c.payload.domesticAbuse;
    expect(value('2025-05', 'national', 'all', 'all', 'crimes-domestic-abuse')?.value).toBe(count(all, '2025-05', da));
    // No force split shows a 1-4; Essex's 3 May crimes leave every non-zero sex cell suppressed.
    const counts = new Set(measures.filter((m) => m.kind === 'count' || m.kind === 'stock').map((m) => m.id));
    const forceSplits = cells.filter((r) => r.geography !== 'national' && r.split !== 'all' && counts.has(r.measure));
    expect(forceSplits.length).toBeGreaterThan(1000);
    expect(forceSplits.some((r) => r.value !== null && r.value >= 1 && r.value <= 4)).toBe(false);
    const essexMaySex = ['female', 'male', 'other', 'not-recorded'].map((sex) => ({
      n: count(essexCrimes, '2025-05', (c) => c.payload.victim.sex === sex),
      row: value('2025-05', 'essex', 'sex', sex),
    }));
    for (const { n, row } of essexMaySex) if (n > 0) expect(row).toMatchObject({ suppressed: true, value: null });
    expect(essexMaySex.filter(({ row }) => row?.suppressed).length).toBeGreaterThanOrEqual(2);
    expect(cells.filter((r) => r.geography === 'national').every((r) => !r.suppressed)).toBe(true);

    const again = await publishPeriod({ pool: stack.pool, store: stack.store, serviceVersion: 'test' }, '2025-H1');
    expect(again).toMatchObject({ revision: 1, unchanged: true });
  }, 120_000);

  it("refuses a force's token for another force's events (403), accepting nothing of the batch", async () => {
    const foreign = syntheticCrimes(seeded(7), { force: 'essex', count: 2, from: '2025-04-01', to: '2025-04-30', refPrefix: 'F' });
    const own = syntheticCrimes(seeded(8), { force: 'kent', count: 1, from: '2025-04-01', to: '2025-04-30', refPrefix: 'F' });
    const response = await send(stack.url, kent, ndjson([...own, ...foreign]));
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ status: 403, type: '/problems/wrong-force' });
    const { rows } = await stack.pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM ingest.submissions WHERE lines = 3');
    expect(rows[0]?.n).toBe(0);
  });

  it('answers 401 without a valid credential and 403 to an operator sending events', async () => {
    const body = ndjson(syntheticCrimes(seeded(9), { force: 'kent', count: 1, from: '2025-04-01', to: '2025-04-30' }));
    expect((await send(stack.url, 'not-a-token', body)).status).toBe(401);
    const operator = await createCredential(stack.pool, { role: 'operator', force: null });
    expect((await send(stack.url, operator, body)).status).toBe(403);
  });
});
