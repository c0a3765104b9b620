import { existsSync } from 'node:fs';
// What integration tests need from the environment. Missing infrastructure is a failure, never a
// skip: `npm test` at the root starts the broker, PostgreSQL and the S3 endpoint and sets these.

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the tests with \`npm test\` at the repository root, which starts the Kafka broker, PostgreSQL and the S3 endpoint`);
  }
  return value;
}

export function kafkaBrokers(): string[] {
  return required('KAFKA_BROKERS').split(',');
}

export function databaseUrl(): string {
  return required('DATABASE_URL');
}

export interface TestS3 {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function s3Endpoint(): TestS3 {
  return {
    endpoint: required('S3_ENDPOINT'),
    region: process.env.S3_REGION ?? 'eu-west-2',
    accessKeyId: required('S3_ACCESS_KEY_ID'),
    secretAccessKey: required('S3_SECRET_ACCESS_KEY'),
  };
}

let counter = 0;
/** A name no other test (or earlier run) uses: topics, groups, buckets, databases. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Headless Chromium for the report's browser tests: CHROMIUM_PATH, else Debian's `chromium`. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('no Chromium: install Debian\'s `chromium` (`.ci/run` does) or set CHROMIUM_PATH');
  return found;
}
