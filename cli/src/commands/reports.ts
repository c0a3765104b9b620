import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { listPublications, listRuns } from '@vawg/publish';
import type { ObjectStore } from '@vawg/store';
import { connect } from '../connect.ts';
import { CliError } from '../cli-error.ts';

/** Copies every file of a revision under `dir/<period>/r<revision>/`; returns that folder. */
export async function downloadRevision(store: ObjectStore, prefix: string, dir: string): Promise<string> {
  const target = resolve(dir, prefix.replace(/^reports\//, ''));
  const keys = await store.list(prefix);
  if (keys.length === 0) throw new CliError(`no files under s3://${store.bucket}/${prefix}`);
  for (const key of keys) {
    const body = await store.get(key);
    if (!body) continue;
    const path = join(target, key.slice(prefix.length));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }
  return target;
}

export async function reportsCommand(options: { period?: string; revision?: number; download?: string }): Promise<void> {
  const connection = await connect();
  try {
    const publications = await listPublications(connection.pool, options.period);
    const runs = await listRuns(connection.pool, options.period);
    // Runs that made no revision and are the latest of their period: failed, or running now.
    const latestRun = new Map(runs.map((r) => [r.period, r]));
    const pending = [...latestRun.values()].filter((r) => r.status === 'failed' || r.status === 'running');
    if (publications.length === 0 && pending.length === 0) {
      console.log(options.period ? `no publications for ${options.period}` : 'no publications yet');
      return;
    }
    console.log('period    revision  cut-off                    status     location');
    for (const p of publications) {
      console.log(`${p.period.padEnd(9)} ${String(p.revision).padEnd(9)} ${p.cutoff.padEnd(26)} published  s3://${connection.store.bucket}/${p.prefix}`);
    }
    for (const r of pending) {
      console.log(`${r.period.padEnd(9)} ${'-'.padEnd(9)} ${r.cutoff.padEnd(26)} ${r.status.padEnd(10)} ${r.error ?? `started ${r.startedAt}`}`);
    }
    if (options.download) {
      if (!options.period) throw new CliError('say which period to download: --period <period> --download <dir>');
      const chosen = options.revision === undefined ? publications.at(-1) : publications.find((p) => p.revision === options.revision);
      if (!chosen) throw new CliError(`no revision ${options.revision} of ${options.period}`);
      console.log(`downloaded to ${await downloadRevision(connection.store, chosen.prefix, options.download)}`);
    }
  } finally {
    await connection.close();
  }
}
