import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const INT8 = 20;
const NUMERIC = 1700;

/** int8 and numeric as JS numbers: our counts and offsets stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  }) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /**
   * Longest a statement may run (the server cancels it: SQLSTATE 57014) and, a little later, a
   * query may go unanswered (the client gives up: a server that vanished). Default 30 s; 0 for none.
   */
  queryTimeoutMs?: number;
  /** An idle connection failed (the server restarted, say); the pool drops it and carries on. */
  onIdleError?: (error: Error) => void;
}

export function createPool(url: string, options: PoolOptions = {}): Pool {
  const timeout = options.queryTimeoutMs ?? 30_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types,
    application_name: options.applicationName,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    ...(timeout > 0 ? { statement_timeout: timeout, query_timeout: timeout + 5_000 } : {}),
  });
  // Without a listener, an idle connection's error would crash the process.
  pool.on('error', options.onIdleError ?? ((error) => process.stderr.write(`postgres: idle connection lost: ${error.message}\n`)));
  // Nor may a connection lost while checked out between two queries (pg-pool listens only to idle
  // ones): the next query on it fails, the caller handles that, and the process lives on.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

type Isolation = 'repeatable read' | 'serializable';

/** Runs `work` in a transaction on a client already held (one that holds a session lock, say). */
export async function inTransaction<T>(client: PoolClient, work: (client: PoolClient) => Promise<T>, isolation?: Isolation): Promise<T> {
  await client.query(isolation ? `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}` : 'BEGIN');
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, isolation?: Isolation): Promise<T> {
  const client = await pool.connect();
  await client.query(isolation ? `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}` : 'BEGIN').catch((error: unknown) => {
    client.release(true);
    throw error;
  });
  let result: T;
  try {
    result = await work(client);
    await client.query('COMMIT');
  } catch (error) {
    // A connection that cannot even roll back (lost, or stuck behind a query that timed out) is
    // thrown away rather than handed to the next caller.
    const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
    client.release(!rolledBack);
    throw error;
  }
  client.release();
  return result;
}

/**
 * Holds a session-level advisory lock named `name` while `work` runs on the locking client, so
 * that work of one name never overlaps, across processes. Taken before any transaction begins:
 * a REPEATABLE READ snapshot taken first would not see what the previous holder committed.
 */
export async function withSessionLock<T>(pool: Pool, name: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      return await work(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  } finally {
    client.release();
  }
}

export async function databaseAnswers(pool: Pool): Promise<boolean> {
  try {
    await pool.query('select 1');
    return true;
  } catch {
    return false;
  }
}
