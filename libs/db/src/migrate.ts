// Forward-only SQL migrations, applied at service start. Each service owns a scope (its own
// schema) and a folder of `NNNN-name.sql` files. All pending files apply in one transaction under
// an advisory lock, so instances starting together do not race and a failure applies nothing.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { withTransaction, type Pool } from './pool.ts';

export interface MigrationSet {
  /** Owner of the migrations, e.g. `aggregate`. */
  scope: string;
  /** Folder holding the `.sql` files. */
  dir: URL;
}

const LOCK_KEY = 7_100_042;

/**
 * Where a set's files are: beside its source; or, in a bundled service (one file for every
 * library, so every `import.meta.url` is the bundle's `dist/migrations/`), in the folder of its
 * scope under that (build-service.ts copies them so), or under VAWG_MIGRATIONS_DIR/<scope>.
 */
function folderOf(set: MigrationSet): string {
  const bundled = process.env.VAWG_MIGRATIONS_DIR;
  if (bundled) return join(bundled, set.scope);
  const dir = fileURLToPath(set.dir);
  const scoped = join(dir, set.scope);
  return existsSync(scoped) ? scoped : dir;
}

export async function migrate(pool: Pool, set: MigrationSet): Promise<string[]> {
  const dir = folderOf(set);
  const files = (await readdir(dir)).filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f)).sort();
  // Every set has a first migration: none found is a build or a path gone wrong, never "up to date".
  if (files.length === 0) throw new Error(`migrations of ${set.scope}: no NNNN-name.sql file in ${dir}`);
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
      scope text NOT NULL, id text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (scope, id))`);
    const { rows } = await client.query<{ id: string; checksum: string }>(
      'SELECT id, checksum FROM public.schema_migrations WHERE scope = $1', [set.scope]);
    const applied = new Map(rows.map((r) => [r.id, r.checksum]));
    const newlyApplied: string[] = [];
    for (const file of files) {
      const sql = await readFile(join(dir, file), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const before = applied.get(file);
      if (before !== undefined) {
        if (before !== checksum) throw new Error(`migration ${set.scope}/${file} was changed after it was applied; add a new migration instead`);
        continue;
      }
      await client.query(sql);
      await client.query('INSERT INTO public.schema_migrations (scope, id, checksum) VALUES ($1, $2, $3)', [set.scope, file, checksum]);
      newlyApplied.push(file);
    }
    return newlyApplied;
  });
}
