// Publication against PostgreSQL and the S3 endpoint: revisions, immutability, manifests.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, migrate, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { aggregateMigrations } from '@vawg/aggregate';
import { createTestDatabase, s3Endpoint, uniqueName, type TestDatabase } from '@vawg/testing';
import { listPublications, listRuns, publishMigrations, publishPeriod, PublishError, type Manifest } from '../src/index.ts';

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
    expect(await publishPeriod(deps(), '2025-H1')).toMatchObject({ period: '2025-H1', revision: 1, prefix: 'reports/2025-H1/r1/', unchanged: false });
    const r1 = await store.list('reports/2025-H1/r1/');
    expect(r1).toHaveLength(4 + 44);
    expect(r1).toEqual(expect.arrayContaining(['reports/2025-H1/r1/cells.csv', 'reports/2025-H1/r1/cells.json', 'reports/2025-H1/r1/report.html',
      'reports/2025-H1/r1/manifest.json', 'reports/2025-H1/r1/forces/kent.html', 'reports/2025-H1/r1/forces/british-transport-police.html']));
    const before = await Promise.all(r1.map(async (k) => sha256((await store.get(k))!)));

    expect(await publishPeriod(deps(), '2025-H1')).toMatchObject({ revision: 1, unchanged: true });
    expect(await store.list('reports/2025-H1/')).toHaveLength(48);

    await setCell('kent', '2025-05', 3);
    // Two runs at once: one writes revision 2, the other waits and finds nothing new.
    const both = await Promise.all([publishPeriod(deps(), '2025-H1'), publishPeriod(deps(), '2025-H1')]);
    expect(both.map((r) => `${r.revision}:${r.unchanged}`).sort()).toEqual(['2:false', '2:true']);
    expect(await Promise.all(r1.map(async (k) => sha256((await store.get(k))!)))).toEqual(before);

    const manifest = JSON.parse((await store.get('reports/2025-H1/r2/manifest.json'))!.toString()) as Manifest;
    expect(manifest.revision).toBe(2);
    expect(Object.keys(manifest.files)).toHaveLength(47);
    // Kent's May went from 0 to 3: the month, the half-year, and national for both.
    expect(manifest.changes).toMatchObject({ since: 1, rowsAdded: 0, rowsRemoved: 0 });
    expect(manifest.changes!.national).toEqual(expect.arrayContaining([
      { period: '2025-05', measure: 'crimes-recorded', split: 'all', category: 'all', before: 0, after: 3 },
      { period: '2025-H1', measure: 'crimes-recorded', split: 'all', category: 'all', before: 12, after: 15 },
    ]));
    for (const [name, { sha256: hash }] of Object.entries(manifest.files)) {
      expect(sha256((await store.get(`reports/2025-H1/r2/${name}`))!)).toBe(hash);
    }
    expect((await listPublications(pool, '2025-H1')).map((p) => p.revision)).toEqual([1, 2]);
    expect((await listRuns(pool, '2025-H1')).map((r) => `${r.status}:${r.revision}`).sort()).toEqual(['published:1', 'published:2', 'unchanged:1', 'unchanged:2']);
  });

  it('refuses a period that is not a half-year', async () => {
    await expect(publishPeriod(deps(), '2025-05')).rejects.toBeInstanceOf(PublishError);
  });
});
