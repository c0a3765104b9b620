// POST /v1/events answers 202 or 503 within its deadline whatever S3 does: down, or accepting
// connections and never answering. What it acknowledged before stays; readiness says S3 is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus, type Bus } from '@vawg/bus';
import { createPool, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { topicsFor } from '@vawg/contracts';
import { createHttpApp, type HttpApp } from '@vawg/http';
import { silentLogger } from '@vawg/log';
import { createRegistry } from '@vawg/metrics';
import { createTestDatabase, kafkaBrokers, s3Endpoint, startTcpProxy, uniqueName, type TcpProxy, type TestDatabase } from '@vawg/testing';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { createCredential, startIngest } from '../src/index.ts';
import { MAX_BODY_BYTES } from '../src/decode-body.ts';

const DEADLINE_MS = 2_000;

describe('the ingest deadline', () => {
  let db: TestDatabase;
  let pool: Pool;
  let bus: Bus;
  let store: ObjectStore;
  let proxy: TcpProxy;
  let app: HttpApp;
  let token: string;
  let ingest: { stop(): Promise<void> };
  const topics = topicsFor(uniqueName('deadline'));

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: 'deadline-test' });
    const s3 = s3Endpoint();
    const target = new URL(s3.endpoint);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    store = createObjectStore({ ...s3, endpoint: `http://${proxy.address}`, bucket: uniqueName('deadline').toLowerCase(), forcePathStyle: true, timeoutMs: 800 });
    app = createHttpApp({ logger: silentLogger(), registry: createRegistry(), checks: [{ name: 's3', check: () => store.ping() }], bodyLimit: MAX_BODY_BYTES });
    ingest = await startIngest({ app, bus, pool, store, topics, registry: createRegistry(), log: silentLogger(), serviceVersion: 'ingest@test', deadlineMs: DEADLINE_MS });
    token = await createCredential(pool, { role: 'force', force: 'kent' });
  });
  afterAll(async () => {
    await app?.close();
    await ingest?.stop();
    await bus?.close();
    await pool?.end();
    store?.close();
    await proxy?.close();
    await db?.drop();
  });

  const post = async (seed: number) => {
    const body = syntheticCrimes(seeded(seed), { force: 'kent', count: 5, from: '2025-04-01', to: '2025-04-30' }).map((c) => JSON.stringify(c)).join('\n');
    const started = Date.now();
    const response = await app.inject({ method: 'POST', url: '/v1/events', payload: body, headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` } });
    return { status: response.statusCode, type: response.json<{ type?: string }>().type, ms: Date.now() - started };
  };

  it('answers 503 within the deadline while S3 hangs or is down, and 202 again once it is back', async () => {
    expect((await post(1)).status).toBe(202);
    for (const mode of ['blackhole', 'refuse'] as const) {
      proxy.setMode(mode);
      const answer = await post(2);
      expect(answer).toMatchObject({ status: 503, type: '/problems/unavailable' });
      expect(answer.ms).toBeLessThan(DEADLINE_MS + 1_500);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      proxy.setMode('pass');
    }
    expect((await post(3)).status).toBe(202);
    // The receipts of the acknowledged submissions, and only those.
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest.submissions');
    expect(rows[0]!.n).toBe(2);
  }, 60_000);
});
