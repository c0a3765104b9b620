// Everything the integration tests and benchmarks need, each taken from the environment when
// it is named there and started locally otherwise. Used by `npm test`, `npm run bench` and .ci/run.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { cacheDir } from './paths.ts';
import { kafkaVersion, startKafkaBroker } from './kafka-broker.ts';
import { postgresAnswers, startEmbeddedPostgres } from './postgres.ts';
import { startS3rver } from './s3.ts';

export interface LocalStack {
  /** Variables to pass to whatever runs on the stack. */
  env: Record<string, string>;
  /** One line per component: where it is and whether we started it. */
  report: string[];
  stop: () => Promise<void>;
}

export async function startLocalStack(env: NodeJS.ProcessEnv = process.env): Promise<LocalStack> {
  const stops: (() => Promise<void>)[] = [];
  const out: Record<string, string> = {};
  const report: string[] = [];
  mkdirSync(cacheDir, { recursive: true });
  const scratch = await mkdtemp(join(cacheDir, 'stack-'));
  // World-traversable: embedded PostgreSQL runs as the postgres user when we are root.
  await chmod(scratch, 0o755);
  stops.push(() => rm(scratch, { recursive: true, force: true }));
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => console.error('stack: stop failed:', e));
  };
  try {
    if (env.KAFKA_BROKERS) {
      report.push(`Kafka: ${env.KAFKA_BROKERS} (from KAFKA_BROKERS)`);
    } else {
      const broker = await startKafkaBroker({ dataDir: join(scratch, 'kafka') });
      stops.push(() => broker.stop());
      out.KAFKA_BROKERS = broker.brokers;
      report.push(`Kafka: ${await kafkaVersion()} broker started at ${broker.brokers}`);
    }
    if (env.DATABASE_URL) {
      if (!(await postgresAnswers(env.DATABASE_URL))) throw new Error(`DATABASE_URL is set but PostgreSQL does not answer there`);
      report.push('PostgreSQL: from DATABASE_URL');
    } else {
      const db = await startEmbeddedPostgres(join(scratch, 'pg'));
      // Not just stop: as root its data may live outside scratch (in /var/tmp), which rm would miss.
      stops.push(() => db.destroy());
      out.DATABASE_URL = db.url;
      report.push(`PostgreSQL: embedded, started at ${new URL(db.url).host}`);
    }
    if (env.S3_ENDPOINT) {
      report.push(`S3: ${env.S3_ENDPOINT} (from S3_ENDPOINT)`);
    } else {
      const s3 = await startS3rver(join(scratch, 's3'));
      stops.push(() => s3.stop());
      Object.assign(out, {
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_REGION: s3.region,
        S3_FORCE_PATH_STYLE: 'true',
      });
      report.push(`S3: s3rver started at ${s3.endpoint}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { env: out, report, stop };
}
