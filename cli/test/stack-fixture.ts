// The four services on a fresh database and the S3 endpoint, joined by the real Kafka broker or by
// the PostgreSQL bus (the embedded default's), isolated by a unique topic prefix and bucket: what
// the end-to-end tests run against.
import { createKafkaBus, createPostgresBus, type Bus } from '@vawg/bus';
import { createPool, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { topicsFor, type Topics } from '@vawg/contracts';
import { silentLogger } from '@vawg/log';
import { createTestDatabase, kafkaBrokers, s3Endpoint, uniqueName, type TestDatabase } from '@vawg/testing';
import { startServices, type RunningServices } from '../src/services.ts';

export type BusKind = 'kafka' | 'postgres';

export interface StackFixture {
  url: string;
  databaseUrl: string;
  pool: Pool;
  store: ObjectStore;
  bus: Bus;
  topics: Topics;
  stop(): Promise<void>;
}

export async function startStackFixture(kind: BusKind = 'kafka', options: { completenessMetricsMs?: number } = {}): Promise<StackFixture> {
  const db: TestDatabase = await createTestDatabase();
  const pool = createPool(db.url, { max: 20 });
  const s3 = s3Endpoint();
  const store = createObjectStore({ ...s3, bucket: uniqueName('e2e').toLowerCase(), forcePathStyle: true });
  const bus = kind === 'kafka'
    ? createKafkaBus({ brokers: kafkaBrokers(), clientId: 'e2e' })
    : await createPostgresBus({ pool, connectionString: db.url, pollIntervalMs: 250 });
  const topics = topicsFor(uniqueName('e2e'));
  const services: RunningServices = await startServices({
    bus, pool, store, topics, log: silentLogger(), host: '127.0.0.1', port: 0, version: 'test', ...options,
  });
  return {
    url: services.url,
    databaseUrl: db.url,
    pool,
    store,
    bus,
    topics,
    async stop() {
      await services.stop();
      await bus.close();
      await pool.end();
      store.close();
      await db.drop();
    },
  };
}
