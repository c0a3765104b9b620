// Publication against PostgreSQL and the S3 endpoint: revisions, immutability, manifests.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, migrate, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { aggregateMigrations } from '@vawg/aggregate';
import { createTestDatabase, s3Endpoint, uniqueName, type TestDatabase } from '@vawg/testing';
import { listPublications, publishMigrations, publishPeriod, PublishError } from '../src/index.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('publishing a half-year', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: ObjectStore;
  const deps = () => ({ pool, store, serviceVersion: 'publish@test' });
  const setCell = (force: string, month: string, value: number) => pool.query(
    `INSERT INTO aggregate.cells VALUES ($1, $2, 'crimes-recorded', 'all', 'all', $3)
     ON CONFLICT (force, month, measure, split, category) DO UPDATE SET value = excluded.value`, [force, month, value]);

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await migrate(pool, aggregateMigrations);
    await migrate(pool, publishMigrations);
    store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName('publish').toLowerCase(), forcePathStyle: true });
    await store.ensureBucket();
  });
  afterAll(async () => {
    await pool.end();
    store.close();
    await db.drop();
  });

  it('writes revision 1, nothing on an identical rerun, and revision 2 after a change, never touching r1', async () => {
    await setCell('kent', '2025-04', 12);
    expect(await publishPeriod(deps(), '2025-H1')).toEqual({ period: '2025-H1', revision: 1, prefix: 'reports/2025-H1/r1/', unchanged: false });
    const r1 = await store.list('reports/2025-H1/r1/');
    expect(r1).toEqual(['reports/2025-H1/r1/cells.csv', 'reports/2025-H1/r1/cells.json', 'reports/2025-H1/r1/manifest.json']);
    const before = await Promise.all(r1.map(async (k) => sha256((await store.get(k))!)));

    expect(await publishPeriod(deps(), '2025-H1')).toMatchObject({ revision: 1, unchanged: true });
    expect(await store.list('reports/2025-H1/')).toHaveLength(3);

    await setCell('kent', '2025-05', 3);
    // Two runs at once: one writes revision 2, the other waits and finds nothing new.
    const both = await Promise.all([publishPeriod(deps(), '2025-H1'), publishPeriod(deps(), '2025-H1')]);
    expect(both.map((r) => `${r.revision}:${r.unchanged}`).sort()).toEqual(['2:false', '2:true']);
    expect(await Promise.all(r1.map(async (k) => sha256((await store.get(k))!)))).toEqual(before);

    const manifest = JSON.parse((await store.get('reports/2025-H1/r2/manifest.json'))!.toString()) as { revision: number; files: Record<string, { sha256: string }> };
    expect(manifest.revision).toBe(2);
    for (const [name, { sha256: hash }] of Object.entries(manifest.files)) {
      expect(sha256((await store.get(`reports/2025-H1/r2/${name}`))!)).toBe(hash);
    }
    expect((await listPublications(pool, '2025-H1')).map((p) => p.revision)).toEqual([1, 2]);
  });

  it('refuses a period that is not a half-year', async () => {
    await expect(publishPeriod(deps(), '2025-05')).rejects.toBeInstanceOf(PublishError);
  });
});
