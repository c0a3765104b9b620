// The four services on the real broker, a fresh database and the S3 endpoint, isolated by a
// unique topic prefix and bucket: what the end-to-end tests run against.
import { createKafkaBus } from '@vawg/bus';
import { createPool, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { topicsFor } from '@vawg/contracts';
import { silentLogger } from '@vawg/log';
import { createTestDatabase, kafkaBrokers, s3Endpoint, uniqueName, type TestDatabase } from '@vawg/testing';
import { startServices, type RunningServices } from '../src/services.ts';

export interface StackFixture {
  url: string;
  pool: Pool;
  store: ObjectStore;
  stop(): Promise<void>;
}

export async function startStackFixture(): Promise<StackFixture> {
  const db: TestDatabase = await createTestDatabase();
  const pool = createPool(db.url);
  const s3 = s3Endpoint();
  const store = createObjectStore({ ...s3, bucket: uniqueName('e2e').toLowerCase(), forcePathStyle: true });
  const bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: 'e2e' });
  const services: RunningServices = await startServices({
    bus, pool, store, topics: topicsFor(uniqueName('e2e')), log: silentLogger(), host: '127.0.0.1', port: 0, version: 'test',
  });
  return {
    url: services.url,
    pool,
    store,
    async stop() {
      await services.stop();
      await bus.close();
      await pool.end();
      store.close();
      await db.drop();
    },
  };
}
