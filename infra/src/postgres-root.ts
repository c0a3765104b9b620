// Embedded PostgreSQL when we are root. PostgreSQL refuses to run as root, so it runs as the
// `postgres` user, which must reach the binaries and the data directory.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readFile, readlink, rename, rm, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { processAlive, stopProcess } from './processes.ts';

export interface Binaries {
  initdb: string;
  postgres: string;
}

export interface User {
  uid: number;
  gid: number;
}

/** Outside any private folder, and kept across reboots (unlike /tmp on many systems); os.tmpdir() may be private. */
const SHARED = '/var/tmp';
/** Written last into a copy of the binaries: a directory without it was not finished by us. */
const COMPLETE = '.vawg-complete';

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created if missing). */
export function runAs(): User | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

// --- Running as root from a private folder ------------------------------------------------------
// Containers run as root, often in a checkout only root may enter (mktemp -d is 0700). The
// postgres user then can reach neither the binaries under node_modules nor a data directory
// there, so both move to /var/tmp. Anyone may create entries in /var/tmp, so we only use a
// directory there that root owns and only root can change; otherwise we make a fresh one.

/** Asked of the kernel as `user`: can it search every folder on the way to `path` and execute it? */
function canExecute(path: string, user: User): boolean {
  return spawnSync('test', ['-x', path], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/** Only root can change it: it is a real directory (not a link), root's, and not group or world writable. */
async function rootOnly(path: string): Promise<boolean> {
  const stats = await lstat(path).catch(() => null);
  return stats !== null && stats.isDirectory() && stats.uid === 0 && (stats.mode & 0o022) === 0;
}

function ignoreExists(error: unknown): void {
  if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
}

/** A new directory in /var/tmp, 0755 so the postgres user can pass through (mkdtemp makes 0700). */
async function freshSharedDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(SHARED, prefix));
  await chmod(dir, 0o755);
  return dir;
}

/** /var/tmp/<name>, made if missing; a fresh directory beside it when someone else made it first. */
async function sharedDir(name: string): Promise<string> {
  const path = join(SHARED, name);
  await mkdir(path).catch(ignoreExists);
  if (!(await rootOnly(path))) return freshSharedDir(`${name}-`);
  await chmod(path, 0o755);
  return path;
}

function isSymlinkList(value: unknown): value is { source: string; target: string }[] {
  return Array.isArray(value) && value.every((entry: unknown) => typeof entry === 'object' && entry !== null
    && 'source' in entry && typeof entry.source === 'string' && 'target' in entry && typeof entry.target === 'string');
}

/**
 * The package ships its library symlinks as a list (npm packs no links) and recreates them in its
 * postinstall, which `npm ci --ignore-scripts` skips: without them postgres cannot load libicu, so
 * make any that are missing in the copy.
 */
async function linkLibraries(packageDir: string, copy: string): Promise<void> {
  const list: unknown = JSON.parse(await readFile(join(packageDir, 'native', 'pg-symlinks.json'), 'utf8').catch(() => '[]'));
  if (!isSymlinkList(list)) return;
  for (const { source, target } of list) {
    const link = join(copy, relative('native', target));
    await symlink(relative(dirname(link), join(copy, relative('native', source))), link).catch(ignoreExists);
  }
}

/** A complete copy of the package's native/ in a new directory in /var/tmp, proven to run as `user`. */
async function stageBinaries(native: string, prefix: string, user: User): Promise<string> {
  const staged = await freshSharedDir(prefix);
  try {
    await cp(native, staged, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await linkLibraries(dirname(native), staged);
    for (const program of ['initdb', 'postgres']) await exec(join(staged, 'bin', program), ['--version'], user);
    await writeFile(join(staged, COMPLETE), '');
    return staged;
  } catch (error) {
    await rm(staged, { recursive: true, force: true });
    throw error;
  }
}

const completeCopy = async (dir: string) => (await rootOnly(dir)) && existsSync(join(dir, COMPLETE));

/** /var/tmp/vawg-postgres-<version>-<platform>-<arch>: copied once, then shared by every checkout on the machine. */
async function sharedBinaries(native: string, user: User): Promise<string> {
  const { version } = JSON.parse(await readFile(join(dirname(native), 'package.json'), 'utf8')) as { version: string };
  const name = `vawg-postgres-${version}-${platform()}-${arch()}`;
  const final = join(SHARED, name);
  if (await completeCopy(final)) return final;
  // Root's but unfinished: not ours (we only rename finished copies), and only root could make it; rebuild it.
  if (await rootOnly(final)) await rm(final, { recursive: true, force: true });
  const staged = await stageBinaries(native, `${name}.tmp-`, user);
  // Atomic: another process sees either nothing or a finished copy. Fails if something is there.
  const renamed = await rename(staged, final).then(() => true, () => false);
  if (renamed) return final;
  if (await completeCopy(final)) {
    await rm(staged, { recursive: true, force: true }); // another process finished first
    return final;
  }
  return staged; // someone else's directory holds the name: keep our own copy
}

/** The binaries where `user` can run them: where npm put them, or else a copy in /var/tmp. */
export async function reachableBinaries(bin: Binaries, user: User | null): Promise<Binaries> {
  if (!user || canExecute(bin.initdb, user)) return bin;
  const copy = await sharedBinaries(dirname(dirname(bin.initdb)), user);
  return { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
}

/** The directory a link left at `requested` by relocateDataDir points to, if it is one and still sound. */
async function linkedDataDir(requested: string, user: User): Promise<string | null> {
  const link = await lstat(requested).catch(() => null);
  if (!link?.isSymbolicLink()) return null;
  const target = resolve(dirname(requested), await readlink(requested));
  const stats = await lstat(target).catch(() => null);
  const sound = dirname(dirname(target)) === SHARED && (await rootOnly(dirname(target)))
    && stats !== null && stats.isDirectory() && stats.uid === user.uid;
  return sound ? target : null;
}

/** Makes way for the link: an empty directory or an old link may go, data may not. */
async function clearForLink(requested: string): Promise<void> {
  const stats = await lstat(requested).catch(() => null);
  if (!stats) return;
  if (stats.isSymbolicLink()) return unlink(requested);
  await rmdir(requested).catch(() => {
    throw new Error(`${requested}: PostgreSQL runs as the postgres user, which cannot reach it here; `
      + 'make the folders above it traversable (chmod o+x) or remove it');
  });
}

/**
 * /var/tmp/vawg-pgdata/<hash of the requested path>, owned by postgres, with a link to it at
 * `requested`. Data already there without that link is left over (the folder holding the link was
 * deleted, or the run killed before its cleanup): it is replaced, as deleting the folder would.
 */
async function relocateDataDir(requested: string, user: User): Promise<string> {
  await clearForLink(requested);
  const root = await sharedDir('vawg-pgdata');
  const dir = join(root, createHash('sha256').update(requested).digest('hex').slice(0, 16));
  await stopOrphan(dir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: 0o700 });
  await chown(dir, user.uid, user.gid);
  await mkdir(dirname(requested), { recursive: true });
  await symlink(dir, requested);
  return dir;
}

/** The nearest folder on the way to `path` that exists: the one we would create the rest in. */
function nearestExisting(path: string): string {
  return existsSync(path) || dirname(path) === path ? path : nearestExisting(dirname(path));
}

/** Where the data goes: `requested`, unless we are root and the postgres user cannot get there. */
export async function reachableDataDir(requested: string, user: User | null): Promise<string> {
  if (!user) return requested;
  const absolute = resolve(requested);
  const linked = await linkedDataDir(absolute, user);
  if (linked) return linked;
  // The data directory itself is handed to postgres by initialise; the folders above must let it through.
  if (canExecute(nearestExisting(dirname(absolute)), user)) return requested;
  return relocateDataDir(absolute, user);
}

/** A server left running on this data directory by a killed parent: stop it (fast shutdown) so we own it. */
export async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) await stopProcess(pid, 30_000, 'SIGINT');
}

export function exec(command: string, args: string[], user: User | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...(user ?? {}), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed (${code}): ${stderr.trim()}`))));
  });
}

