// What a fault trial runs on: a Kafka cluster of one node or three (KRaft, replication 3 and
// min.insync.replicas 2 when three), a PostgreSQL server of its own (so it can be restarted), an S3
// endpoint behind a TCP proxy (so it can be cut off or made to hang), and the four services as
// processes of their own.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createPool, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { freePort, startEmbeddedPostgres, startKafkaCluster, startS3rver, type KafkaCluster, type Postgres } from '@vawg/infra';
import { createCredential } from '@vawg/ingest';
import { startTcpProxy, type TcpProxy } from '@vawg/testing';
import { serviceNames, serviceProcess, type ServiceName, type ServiceProcess } from './services.ts';

export interface ChaosStackOptions {
  dir: string;
  /** 1: a single broker (restarted whole); 3: a cluster whose partition leaders can be killed. */
  brokers: 1 | 3;
  forces: string[];
}

export interface ChaosStack {
  url: string;
  pool: Pool;
  /** The object store itself, not through the proxy: what the checks read. */
  store: ObjectStore;
  services: Record<ServiceName, ServiceProcess>;
  kafka: KafkaCluster;
  postgres: { url: string; crash(): Promise<void>; start(): Promise<void> };
  s3: TcpProxy;
  tokens: Map<string, string>;
  topicPrefix: string;
  logDir: string;
  stop(): Promise<void>;
}

/** The calendar a trial gives publish when it wants publications to happen now: every 10 s. */
export const BUSY_SCHEDULE = '*/10 * * * * *';

export async function startChaosStack(o: ChaosStackOptions): Promise<ChaosStack> {
  await rm(o.dir, { recursive: true, force: true });
  const logDir = join(o.dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const pgPort = await freePort();
  const [kafka, firstPostgres, s3] = await Promise.all([
    startKafkaCluster({ dataDir: join(o.dir, 'kafka'), nodes: o.brokers, heap: '384m' }),
    startEmbeddedPostgres(join(o.dir, 'pg'), pgPort),
    startS3rver(join(o.dir, 's3')),
  ]);
  let postgres: Postgres = firstPostgres;
  const s3Target = new URL(s3.endpoint);
  const proxy = await startTcpProxy(s3Target.hostname, Number(s3Target.port));
  const topicPrefix = `chaos${Date.now().toString(36)}`;
  const env: Record<string, string> = {
    KAFKA_BROKERS: kafka.brokers,
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    ...(o.brokers === 3 ? { KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' } : {}),
    DATABASE_URL: postgres.url,
    DATABASE_QUERY_TIMEOUT_MS: '30000',
    VAWG_TOPIC_PREFIX: topicPrefix,
    S3_ENDPOINT: `http://${proxy.address}`,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_REGION: s3.region,
    S3_FORCE_PATH_STYLE: 'true',
    S3_BUCKET: 'chaos',
    S3_TIMEOUT_MS: '3000',
    INGEST_DEADLINE_MS: '10000',
    PUBLISH_WAIT_MS: '60000',
    LOG_LEVEL: 'warn',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const services = Object.fromEntries(await Promise.all(serviceNames.map(async (name) =>
    [name, serviceProcess(name, await freePort(), env, logDir)] as const))) as Record<ServiceName, ServiceProcess>;
  // ingest first: it makes the bucket and the topics; the others migrate beside it.
  services.ingest.start();
  await services.ingest.up(120_000);
  for (const name of ['validate', 'aggregate', 'publish'] as const) services[name].start();
  await Promise.all(serviceNames.map((name) => services[name].up(120_000)));

  // The trial restarts PostgreSQL under it: connections lost meanwhile are expected, and replaced.
  const pool = createPool(postgres.url, { max: 4, queryTimeoutMs: 120_000, onIdleError: () => undefined });
  const tokens = new Map<string, string>();
  for (const force of o.forces) tokens.set(force, await createCredential(pool, { role: 'force', force }));
  const store = createObjectStore({ endpoint: s3.endpoint, region: s3.region, bucket: 'chaos', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });

  return {
    url: `http://127.0.0.1:${services.ingest.port}`,
    pool,
    store,
    services,
    kafka,
    postgres: {
      url: postgres.url,
      // Immediate shutdown: no checkpoint, recovered from the WAL at the next start, as after a crash.
      crash: () => postgres.kill('SIGQUIT'),
      async start() {
        postgres = await startEmbeddedPostgres(join(o.dir, 'pg'), pgPort);
      },
    },
    s3: proxy,
    tokens,
    topicPrefix,
    logDir,
    async stop() {
      await Promise.all(serviceNames.map((name) => services[name].kill('SIGKILL')));
      await pool.end().catch(() => undefined);
      store.close();
      await proxy.close();
      await kafka.stop();
      // destroy, not stop: as root the data may live outside the folder (in /var/tmp).
      await postgres.destroy();
      await s3.stop();
    },
  };
}
