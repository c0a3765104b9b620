// ingest alone on a fresh database, the real broker and the S3 endpoint, with its routes on an
// HTTP app (not listening unless a test asks): what the ingest tests run against.
import { createKafkaBus, type Bus } from '@vawg/bus';
import { createPool, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { topicsFor, type Topics } from '@vawg/contracts';
import { createHttpApp, type HttpApp } from '@vawg/http';
import { silentLogger, type Logger } from '@vawg/log';
import { createRegistry } from '@vawg/metrics';
import { createTestDatabase, kafkaBrokers, s3Endpoint, uniqueName, type TestDatabase } from '@vawg/testing';
import { createOperatorCheck, startIngest, type IngestDeps } from '../src/index.ts';

export interface IngestFixture {
  db: TestDatabase;
  pool: Pool;
  bus: Bus;
  store: ObjectStore;
  app: HttpApp;
  topics: Topics;
  stop(): Promise<void>;
}

export interface IngestFixtureOptions {
  /** As main.ts builds it: metrics and readiness details for operators only. */
  operatorProbes?: boolean;
  /** How long a request may take to arrive whole (the app's default: 30 s). */
  requestTimeoutMs?: number;
  /** Where ingest and its HTTP app log (silent unless given). */
  log?: Logger;
  /** More of startIngest's options. */
  ingest?: Partial<Pick<IngestDeps, 'deadlineMs' | 'completenessMetricsMs' | 'console' | 'documentConcurrency' | 'fairShare'>>;
}

export async function startIngestFixture(name: string, options: IngestFixtureOptions = {}): Promise<IngestFixture> {
  const db = await createTestDatabase();
  const pool = createPool(db.url);
  const bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: `${name}-test` });
  const store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName(name).toLowerCase(), forcePathStyle: true });
  const topics = topicsFor(uniqueName(name));
  const app = createHttpApp({
    logger: options.log ?? silentLogger(), registry: createRegistry(), checks: [], requestTimeoutMs: options.requestTimeoutMs,
    ...(options.operatorProbes ? { operator: createOperatorCheck(pool) } : {}),
  });
  const ingest = await startIngest({ app, bus, pool, store, topics, registry: createRegistry(), log: options.log ?? silentLogger(), serviceVersion: 'ingest@test', ...options.ingest });
  return {
    db, pool, bus, store, app, topics,
    async stop() {
      await app.close();
      await ingest.stop();
      await bus.close();
      await pool.end();
      store.close();
      await db.drop();
    },
  };
}
