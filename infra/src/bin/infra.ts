// Usage: tsx infra/src/bin/infra.ts <kafka|postgres|s3> <start|wait|stop>
// Runs one piece of local infrastructure in the background (for .ci/run and for working on one
// service alone). `start` returns once it is ready and writes `.cache/run/<name>.env` with the
// variables that point at it (KAFKA_BROKERS, DATABASE_URL, S3_*); `stop` stops it.
import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../paths.ts';
import { startKafkaBroker } from '../kafka-broker.ts';
import { processAlive, stopProcess } from '../processes.ts';
import { waitFor } from '../free-port.ts';

const names = ['kafka', 'postgres', 's3'] as const;
const actions = ['start', 'wait', 'stop'] as const;

function parseArgs(): { name: (typeof names)[number]; action: (typeof actions)[number] } {
  const [n, a] = process.argv.slice(2);
  const name = names.find((x) => x === n);
  const action = actions.find((x) => x === a);
  if (!name || !action) {
    console.error('usage: infra <kafka|postgres|s3> <start|wait|stop>');
    process.exit(2);
  }
  return { name, action };
}

const { name, action } = parseArgs();

const runDir = join(cacheDir, 'run');
const pidFile = join(runDir, `${name}.pid`);
const envFile = join(runDir, `${name}.env`);

async function readPid(): Promise<number | null> {
  if (!existsSync(pidFile)) return null;
  const pid = Number(await readFile(pidFile, 'utf8'));
  return processAlive(pid) ? pid : null;
}

async function start(): Promise<void> {
  if (await readPid()) {
    console.log(`${name} is already running; see ${envFile}`);
    return;
  }
  await mkdir(runDir, { recursive: true });
  await rm(envFile, { force: true });
  if (name === 'kafka') {
    const dataDir = join(cacheDir, 'kafka-data');
    await rm(dataDir, { recursive: true, force: true });
    const broker = await startKafkaBroker({ dataDir, detached: true });
    await writeFile(pidFile, String(broker.pid));
    await writeFile(envFile, `KAFKA_BROKERS=${broker.brokers}\n`);
  } else {
    // PostgreSQL and s3rver run inside a detached node process that writes the env file when ready.
    const serve = fileURLToPath(new URL('./serve.ts', import.meta.url));
    const log = openSync(join(runDir, `${name}.log`), 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', serve, name, envFile], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${name}`);
    await writeFile(pidFile, String(pid));
    await waitFor(`${name} (log: ${join(runDir, `${name}.log`)})`, () => {
      if (!processAlive(pid)) throw new Error(`${name} failed to start; see ${join(runDir, `${name}.log`)}`);
      return Promise.resolve(existsSync(envFile));
    }, 120_000);
  }
  process.stdout.write(await readFile(envFile, 'utf8'));
}

async function stop(): Promise<void> {
  const pid = await readPid();
  if (pid) await stopProcess(pid);
  await rm(pidFile, { force: true });
  await rm(envFile, { force: true });
}

if (action === 'start') await start();
else if (action === 'stop') await stop();
else await waitFor(name, () => Promise.resolve(existsSync(envFile)), 120_000);
