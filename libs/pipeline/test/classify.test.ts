// Failures as the real clients raise them: PostgreSQL, node-postgres, kafkajs, the AWS SDK.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { S3Client, HeadBucketCommand } from '@aws-sdk/client-s3';
import { freePort } from '@vawg/infra';
import { databaseUrl } from '@vawg/testing';
import { classifyFailure } from '../src/index.ts';

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('what is worth waiting out', () => {
  it('calls a constraint, a syntax error, bad data and a bug deterministic', async () => {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await client.query('CREATE TEMP TABLE t (state text CHECK (state IN (\'passed\')))');
      expect(classifyFailure(await failureOf(() => client.query("INSERT INTO t VALUES ('withdrawn')")))).toBe('deterministic');
      expect(classifyFailure(await failureOf(() => client.query('SELEC 1')))).toBe('deterministic');
      expect(classifyFailure(await failureOf(() => client.query("SELECT 'x'::uuid")))).toBe('deterministic');
      // A statement cancelled by statement_timeout is a timeout, and passes.
      await client.query("SET statement_timeout = '50ms'");
      expect(classifyFailure(await failureOf(() => client.query('SELECT pg_sleep(1)')))).toBe('transient');
    } finally {
      await client.end();
    }
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'event')"))).toBe('deterministic');
    expect(classifyFailure(new SyntaxError('Unexpected token'))).toBe('deterministic');
  });

  it('calls a database that is not there, or gone, transient', async () => {
    const port = await freePort();
    const refused = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    expect(classifyFailure(await failureOf(() => refused.connect()))).toBe('transient');
    const client = new pg.Client({ connectionString: databaseUrl() });
    client.on('error', () => undefined);
    await client.connect();
    const admin = new pg.Client({ connectionString: databaseUrl() });
    await admin.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await admin.end();
    expect(classifyFailure(await failureOf(() => client.query('SELECT 1')))).toBe('transient');
  });

  it('calls a broker or an object store that does not answer transient', async () => {
    const port = await freePort();
    const producer = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).producer();
    expect(classifyFailure(await failureOf(() => producer.connect()))).toBe('transient');
    const s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'eu-west-2', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    expect(classifyFailure(await failureOf(() => s3.send(new HeadBucketCommand({ Bucket: 'b' }))))).toBe('transient');
    s3.destroy();
  });
});
