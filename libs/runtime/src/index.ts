// What every service's main builds the same way: logger, metrics registry, pool, bus, object
// store, topic names, and a clean stop on SIGTERM/SIGINT.
import { createKafkaBus, createPostgresBus, type Bus } from '@vawg/bus';
import { createPool, databaseAnswers, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { createLogger, type Logger } from '@vawg/log';
import { createRegistry, type Registry } from '@vawg/metrics';
import { topicsFor, type Topics } from '@vawg/contracts';
import type { ReadinessCheck } from '@vawg/http';
import { kafkaSecurity, type CommonConfig, type S3Config } from '@vawg/config';
import { startLagMonitor, type RunningStage } from '@vawg/pipeline';

export interface Runtime {
  service: string;
  serviceVersion: string;
  log: Logger;
  registry: Registry;
  pool: Pool;
  bus: Bus;
  topics: Topics;
  checks: ReadinessCheck[];
  close(): Promise<void>;
}

export function storeFromConfig(config: S3Config): ObjectStore {
  return createObjectStore({
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    timeoutMs: config.S3_TIMEOUT_MS,
  });
}

export interface BusChoice {
  bus: Bus;
  /** What to tell a person: where the messages go. */
  description: string;
}

/** Kafka when KAFKA_BROKERS names brokers; else the PostgreSQL bus in the service's own database. */
export async function busFromConfig(config: CommonConfig, clientId: string, log?: Logger): Promise<BusChoice> {
  if (config.KAFKA_BROKERS) {
    return {
      bus: createKafkaBus({
        brokers: config.KAFKA_BROKERS, clientId, sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS, logger: log,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
        ...kafkaSecurity(config),
      }),
      description: `Kafka at ${config.KAFKA_BROKERS.join(',')}`,
    };
  }
  // A pool of its own: requests holding the service's connections never starve the bus.
  const busPool = createPool(config.DATABASE_URL, { applicationName: `${clientId}-bus`, max: 10, queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS, onIdleError: () => undefined });
  const bus = await createPostgresBus({ pool: busPool, connectionString: config.DATABASE_URL, logger: log });
  return {
    bus: { ...bus, close: async () => { await bus.close(); await busPool.end(); } },
    description: `PostgreSQL (schema bus) at ${new URL(config.DATABASE_URL).host}`,
  };
}

export async function createRuntime(service: string, version: string, config: CommonConfig, options: { queryTimeoutMs?: number } = {}): Promise<Runtime> {
  const log = createLogger(service, config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL, {
    applicationName: service, queryTimeoutMs: options.queryTimeoutMs ?? config.DATABASE_QUERY_TIMEOUT_MS,
    onIdleError: (err) => log.warn({ err }, 'postgres: idle connection lost'),
  });
  const { bus, description } = await busFromConfig(config, config.KAFKA_CLIENT_ID ?? `vawg-${service}`, log);
  log.info({ bus: description }, 'bus chosen');
  return {
    service,
    serviceVersion: `${service}@${version}`,
    log,
    registry: createRegistry(),
    pool,
    bus,
    topics: topicsFor(config.VAWG_TOPIC_PREFIX, { refusedRetentionDays: config.REFUSED_RETENTION_DAYS }),
    checks: [
      { name: 'bus', check: () => bus.ping() },
      { name: 'postgres', check: () => databaseAnswers(pool) },
    ],
    async close() {
      await bus.close();
      await pool.end();
    },
  };
}

/** A stage's readiness: false while it waits out a transient failure (libs/pipeline/src/stage-runner.ts). */
export function stageCheck(name: string, stage: { ready(): boolean }): ReadinessCheck {
  return { name, check: () => Promise.resolve(stage.ready()) };
}

export interface StageWatch {
  /** One readiness check per stage. */
  checks: ReadinessCheck[];
  /** For /readyz: each stage's lag. */
  details: () => Promise<Record<string, unknown>>;
  stop(): void;
}

/** Readiness and lag (metrics, /readyz detail) for the stages a process runs. */
export function watchStages(deps: { bus: Bus; pool: Pool; registry: Registry; log: Logger }, stages: RunningStage[]): StageWatch {
  const monitor = startLagMonitor({ ...deps, stages: stages.map((s) => s.watch) });
  return {
    checks: stages.map((s) => stageCheck(s.watch.stage, s)),
    details: async () => ({ lag: await monitor.lag() }),
    stop: () => monitor.stop(),
  };
}

/** Stops cleanly on SIGTERM or SIGINT: the stop function finishes the batch in hand first. */
export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
