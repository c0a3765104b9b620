// Embedded PostgreSQL with its data in a folder only its owner may enter, as in a container that
// runs as root in a mktemp -d checkout: the postgres user cannot get there, so the data must live
// elsewhere and still be found again on the same path. Not root, the same steps run in place.
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type Postgres } from '../src/index.ts';

const asRoot = process.getuid?.() === 0;

async function query(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(text)).rows;
  } finally {
    await client.end();
  }
}

async function folder(mode: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vawg-pg-test-'));
  await chmod(dir, mode);
  return dir;
}

describe(`embedded PostgreSQL ${asRoot ? 'as root (run as postgres)' : 'as this user'}`, () => {
  const started: Postgres[] = [];
  const folders: string[] = [];
  afterAll(async () => {
    for (const db of started) await db.destroy();
    for (const dir of folders) await rm(dir, { recursive: true, force: true });
  });

  it('keeps its data in a private folder across a restart on the same path, then deletes it', async () => {
    const dir = await folder(0o700);
    folders.push(dir);
    const requested = join(dir, 'pg');

    const first = await startEmbeddedPostgres(requested);
    started.push(first);
    expect(await query(first.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await query(first.url, "create table kept as select 'first run' as note");
    await first.stop();

    const second = await startEmbeddedPostgres(requested);
    started.push(second);
    expect(second.dataDir).toBe(first.dataDir);
    expect(await query(second.url, 'select note from kept')).toEqual([{ note: 'first run' }]);
    if (asRoot) {
      // The requested path is a link to where the data is, so it still shows where to look.
      expect((await lstat(requested)).isSymbolicLink()).toBe(true);
      expect(second.dataDir).toMatch(/^\/var\/tmp\//);
    } else {
      expect(second.dataDir).toBe(requested);
    }

    await second.destroy();
    expect(existsSync(second.dataDir)).toBe(false);
    expect(await lstat(requested).catch(() => null)).toBeNull();
  });

  it('keeps its data where asked when the postgres user can get there', async () => {
    const dir = await folder(0o755);
    folders.push(dir);
    const requested = join(dir, 'pg');
    const db = await startEmbeddedPostgres(requested);
    started.push(db);
    expect(await query(db.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    expect(db.dataDir).toBe(requested);
    expect((await lstat(requested)).isDirectory()).toBe(true);
    await db.destroy();
    expect(existsSync(requested)).toBe(false);
  });
});
