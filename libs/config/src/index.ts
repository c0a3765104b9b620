// Environment parsed by zod at start. A bad value stops the process with one line that names
// the variable and what is wrong, never later and never with a stack trace.
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
  throw new ConfigError(`configuration: ${problems.join('; ')}`);
}

/** For a service's main: parse, or print the one-line reason and exit 78 (EX_CONFIG). */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

const port = z.coerce.number().int().min(0).max(65535);
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Variables every service reads. */
export const baseEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VAWG_TOPIC_PREFIX: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, dot, dash or underscore').default('vawg'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'a postgres:// URL' }),
  /** Longest a database statement may run before it is cancelled as a transient failure. */
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
};

/**
 * Variables of the services on the bus. Without KAFKA_BROKERS the bus is PostgreSQL's (topics as
 * tables in the database of DATABASE_URL), as in the embedded default.
 */
export const kafkaEnv = {
  KAFKA_BROKERS: z.string().regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'a comma-separated list of host:port').transform((v) => v.split(',')).optional(),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /** The broker's group.min.session.timeout.ms bounds it from below (6 s by default). */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
  /** For the topics we create: copies of each partition (broker default when unset), and min.insync.replicas. */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).optional(),
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(10).optional(),
};

export const commonEnv = { ...baseEnv, ...kafkaEnv };
export type CommonConfig = z.infer<z.ZodObject<typeof commonEnv>>;

export const s3Env = {
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default('eu-west-2'),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a valid S3 bucket name').default('vawg'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: flag.default(false),
  /** Longest one S3 request may take, connection included, before it fails as transient. */
  S3_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
};
export type S3Config = z.infer<z.ZodObject<typeof s3Env>>;

export const envTypes = { port, flag };
