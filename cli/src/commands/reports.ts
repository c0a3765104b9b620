import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { listPublications, listRuns } from '@vawg/publish';
import type { ObjectStore } from '@vawg/store';
import { connect } from '../connect.ts';
import { CliError } from '../cli-error.ts';

/**
 * Where an object key of a revision lands under its folder, or null when it would land anywhere
 * else: a key with `..`, an absolute path, a backslash or a NUL (the store is not to be trusted
 * with the file system) is never written.
 */
export function safeTarget(target: string, relativeKey: string): string | null {
  if (relativeKey === '' || relativeKey.includes('\\') || relativeKey.includes('\0')) return null;
  const segments = relativeKey.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  const path = resolve(target, ...segments);
  return path.startsWith(`${resolve(target)}${sep}`) ? path : null;
}

/** Copies every file of a revision under `dir/<period>/r<revision>/`; returns that folder. */
export async function downloadRevision(store: ObjectStore, prefix: string, dir: string): Promise<string> {
  const target = resolve(dir, prefix.replace(/^reports\//, ''));
  if (!target.startsWith(`${resolve(dir)}${sep}`)) throw new CliError(`the revision's prefix ${prefix} would land outside ${dir}; nothing was written`);
  const keys = await store.list(prefix);
  if (keys.length === 0) throw new CliError(`no files under s3://${store.bucket}/${prefix}`);
  const refused = keys.filter((key) => !safeTarget(target, key.slice(prefix.length)));
  if (refused.length > 0) throw new CliError(`refusing to download: ${refused.length} object key(s) would land outside ${target} (such as ${JSON.stringify(refused[0])}); nothing was written`);
  for (const key of keys) {
    const body = await store.get(key);
    if (!body) continue;
    const path = safeTarget(target, key.slice(prefix.length))!;
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
