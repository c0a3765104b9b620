import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@vawg/testing';
import { createPool, migrate, withTransaction, type Pool } from '../src/index.ts';

describe('migrations on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('applies pending files once, in order, and refuses an edited one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vawg-migrations-'));
    await writeFile(join(dir, '0001-first.sql'), 'CREATE SCHEMA t; CREATE TABLE t.a (n bigint);');
    await writeFile(join(dir, '0002-second.sql'), 'INSERT INTO t.a VALUES (9007199254740991);');
    await writeFile(join(dir, 'notes.txt'), 'not a migration');
    const set = { scope: 't', dir: pathToFileURL(`${dir}/`) };
    expect(await Promise.all([migrate(pool, set), migrate(pool, set)]).then((r) => r.flat().sort())).toEqual(['0001-first.sql', '0002-second.sql']);
    expect(await migrate(pool, set)).toEqual([]);
    const { rows } = await pool.query<{ n: number }>('SELECT n FROM t.a');
    expect(rows).toEqual([{ n: 9007199254740991 }]);
    await writeFile(join(dir, '0002-second.sql'), 'INSERT INTO t.a VALUES (2);');
    await expect(migrate(pool, set)).rejects.toThrow(/0002-second.sql was changed after it was applied/);
  });

  it('applies nothing of a batch when one file fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vawg-migrations-'));
    await writeFile(join(dir, '0001-ok.sql'), 'CREATE TABLE u (n int);');
    await writeFile(join(dir, '0002-bad.sql'), 'CREATE TABLE u (n int);');
    await expect(migrate(pool, { scope: 'u', dir: pathToFileURL(`${dir}/`) })).rejects.toThrow(/already exists/);
    const { rows } = await pool.query("SELECT to_regclass('public.u') AS t");
    expect(rows).toEqual([{ t: null }]);
  });

  it('rolls a transaction back when its work throws', async () => {
    await pool.query('CREATE TABLE r (n int)');
    await expect(withTransaction(pool, async (client) => {
      await client.query('INSERT INTO r VALUES (1)');
      throw new Error('deliberate');
    })).rejects.toThrow('deliberate');
    expect((await pool.query('SELECT count(*)::int AS c FROM r')).rows).toEqual([{ c: 0 }]);
  });
});
