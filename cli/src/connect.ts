// How a command reaches the system: the database and object store named in the environment,
// else those of the `vawg up` running now. Migrations run first, so a fresh database works.
import { z } from 'zod';
import { createPool, migrate, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { commonEnv, kafkaSecurity, parseConfig, s3Env } from '@vawg/config';
import { storeFromConfig } from '@vawg/runtime';
import { createKafkaBus, createPostgresBus, type Bus } from '@vawg/bus';
import { topicsFor, type Topics } from '@vawg/contracts';
import { ingestMigrations } from '@vawg/ingest';
import { aggregateMigrations } from '@vawg/aggregate';
import { pipelineMigrations } from '@vawg/pipeline';
import { publishMigrations, scheduleSetting } from '@vawg/publish';
import { readUpState } from './home.ts';
import { CliError } from './cli-error.ts';

export const cliEnv = z.object({
  ...commonEnv,
  ...s3Env,
  LOG_LEVEL: commonEnv.LOG_LEVEL.default('warn'),
  KAFKA_BROKERS: commonEnv.KAFKA_BROKERS.optional(),
  DATABASE_URL: commonEnv.DATABASE_URL.optional(),
  VAWG_URL: z.url().optional(),
  /** The publication calendar of `vawg up` (cron, Europe/London); the spec's by default. */
  PUBLISH_SCHEDULE: scheduleSetting.optional(),
});
export type CliEnv = z.infer<typeof cliEnv>;

export function cliConfig(): CliEnv {
  return parseConfig(cliEnv);
}

export interface Connection {
  pool: Pool;
  store: ObjectStore;
  topics: Topics;
  /** The system's bus: the Kafka brokers of the environment or of `vawg up`, else PostgreSQL's. */
  bus(): Promise<Bus>;
  close(): Promise<void>;
}

const NOTHING_RUNNING = 'nothing to connect to: start `vawg up` in another terminal, or set DATABASE_URL and S3_ENDPOINT';

/**
 * `long`: for commands that read every stored event (replay, a publication's recompute as at a
 * past cut-off), which take minutes on a large store: no statement timeout.
 */
export async function connect(options: { long?: boolean } = {}): Promise<Connection> {
  const config = cliConfig();
  const state = readUpState();
  const databaseUrl = config.DATABASE_URL ?? state?.databaseUrl;
  if (!databaseUrl) throw new CliError(NOTHING_RUNNING);
  const store = config.S3_ENDPOINT || !state ? storeFromConfig(config) : createObjectStore(state.s3);
  const pool = createPool(databaseUrl, { max: 4, applicationName: 'vawg-cli', queryTimeoutMs: options.long ? 0 : config.DATABASE_QUERY_TIMEOUT_MS });
  try {
    for (const set of [pipelineMigrations, ingestMigrations, aggregateMigrations, publishMigrations]) await migrate(pool, set);
  } catch (error) {
    await pool.end();
    throw new CliError(`cannot use the database at ${new URL(databaseUrl).host}: ${(error as Error).message}`);
  }
  const brokers = config.KAFKA_BROKERS ?? state?.kafkaBrokers ?? null;
  let bus: Promise<Bus> | null = null;
  return {
    pool,
    store,
    topics: topicsFor(process.env.VAWG_TOPIC_PREFIX || !state ? config.VAWG_TOPIC_PREFIX : state.topicPrefix, { refusedRetentionDays: config.REFUSED_RETENTION_DAYS }),
    bus: () => (bus ??= brokers
      ? Promise.resolve(createKafkaBus({ brokers, clientId: 'vawg-cli', ...kafkaSecurity(config) }))
      : createPostgresBus({ pool, connectionString: databaseUrl })),
    async close() {
      if (bus) await (await bus).close();
      await pool.end();
      store.close();
    },
  };
}

/** The ingest API to send to: --url, then VAWG_URL, then the running `vawg up`. */
export function ingestUrl(explicit?: string): string {
  const url = explicit ?? cliConfig().VAWG_URL ?? readUpState()?.url;
  if (!url) throw new CliError('no ingest API to send to: start `vawg up`, or pass --url (or set VAWG_URL)');
  return url.replace(/\/$/, '');
}
