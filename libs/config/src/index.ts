import { readFileSync } from 'node:fs';
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
  /** Refused lines (the refused topic, and the originals in ingest.refusals) are deleted after this many days. */
  REFUSED_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
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
  /** TLS to the brokers; KAFKA_SSL_CA_FILE: a PEM file of the CA that signed them, if not a public one. */
  KAFKA_SSL: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  /** SASL: SCRAM (recommended) or PLAIN (only over TLS); the password directly or from a file. */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().min(1).optional(),
};

export interface KafkaSecurity {
  ssl?: true | { ca: string[] };
  sasl?: { mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain'; username: string; password: string };
}

/**
 * The TLS and SASL settings of kafkajs from the environment; a ConfigError for an incomplete or
 * unsafe set (a mechanism without a user or password, PLAIN without TLS).
 */
export function kafkaSecurity(config: {
  KAFKA_SSL: boolean; KAFKA_SSL_CA_FILE?: string; KAFKA_SASL_MECHANISM?: NonNullable<KafkaSecurity['sasl']>['mechanism'];
  KAFKA_SASL_USERNAME?: string; KAFKA_SASL_PASSWORD?: string; KAFKA_SASL_PASSWORD_FILE?: string;
}, read: (path: string) => string = (path) => readFileSync(path, 'utf8')): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (config.KAFKA_SSL) security.ssl = config.KAFKA_SSL_CA_FILE ? { ca: [read(config.KAFKA_SSL_CA_FILE)] } : true;
  else if (config.KAFKA_SSL_CA_FILE) throw new ConfigError('configuration: KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true');
  if (config.KAFKA_SASL_MECHANISM) {
    const password = config.KAFKA_SASL_PASSWORD ?? (config.KAFKA_SASL_PASSWORD_FILE ? read(config.KAFKA_SASL_PASSWORD_FILE).trim() : undefined);
    if (!config.KAFKA_SASL_USERNAME || !password) throw new ConfigError('configuration: KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)');
    if (config.KAFKA_SASL_MECHANISM === 'plain' && !config.KAFKA_SSL) throw new ConfigError('configuration: KAFKA_SASL_MECHANISM=plain sends the password in clear: set KAFKA_SSL=true, or use scram-sha-512');
    security.sasl = { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME, password };
  } else if (config.KAFKA_SASL_USERNAME || config.KAFKA_SASL_PASSWORD || config.KAFKA_SASL_PASSWORD_FILE) {
    throw new ConfigError('configuration: KAFKA_SASL_USERNAME or a password is set without KAFKA_SASL_MECHANISM (scram-sha-512, scram-sha-256 or plain)');
  }
  return security;
}

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
