// `vawg reports --download` writes a revision's files under its folder and nowhere else, whatever
// the object store's keys say.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { s3Endpoint, uniqueName } from '@vawg/testing';
import { downloadRevision, safeTarget } from '../src/commands/reports.ts';

describe('downloading a revision', () => {
  it('places keys under the folder, and refuses any that would land elsewhere', () => {
    const target = resolve('/tmp/x/2025-H1/r1');
    expect(safeTarget(target, 'cells.csv')).toBe(join(target, 'cells.csv'));
    expect(safeTarget(target, 'forces/kent.html')).toBe(join(target, 'forces', 'kent.html'));
    for (const bad of ['../escape.txt', 'forces/../../x', '/etc/passwd', 'a//b', 'a\\..\\b', 'a\u0000b', '', './x', 'x/..']) {
      expect([bad, safeTarget(target, bad)]).toEqual([bad, null]);
    }
  });

  let store: ObjectStore;
  let dir: string;
  beforeAll(async () => {
    store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName('download').toLowerCase(), forcePathStyle: true });
    await store.ensureBucket();
    dir = await mkdtemp(join(tmpdir(), 'vawg-download-'));
  });
  afterAll(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a revision whole, and nothing at all of one holding a key that climbs out', async () => {
    await store.put('reports/2025-H1/r1/cells.csv', 'a,b\n', 'text/csv');
    await store.put('reports/2025-H1/r1/forces/kent.html', '<p>kent</p>', 'text/html');
    const folder = await downloadRevision(store, 'reports/2025-H1/r1/', dir);
    expect(await readFile(join(folder, 'forces', 'kent.html'), 'utf8')).toBe('<p>kent</p>');

    await store.put('reports/2025-H1/r2/cells.csv', 'a,b\n', 'text/csv');
    // S3 clients normalise `..` out of the keys they send, but a store (or whoever writes to it)
    // may list anything: the real store, its listing with one key that climbs out.
    const hostile: ObjectStore = { ...store, list: async (prefix) => [...await store.list(prefix), `${prefix}../../../../escaped.txt`] };
    await expect(downloadRevision(hostile, 'reports/2025-H1/r2/', dir)).rejects.toThrow(/would land outside/);
    expect(await readdir(join(dir, '2025-H1'))).toEqual(['r1']);
    expect((await readdir(dir)).sort()).toEqual(['2025-H1']);
  });
});
