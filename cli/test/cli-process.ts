// Runs the real `vawg` program as a child process, on a home folder of its own and nothing from
// the environment: exactly what a newcomer's machine runs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually } from '@vawg/testing';

const bin = fileURLToPath(new URL('../bin/vawg.js', import.meta.url));
const run = promisify(execFile);

export function embeddedEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, VAWG_HOME: home, LOG_LEVEL: 'error' };
  for (const name of Object.keys(env)) {
    if (/^(KAFKA_|DATABASE_URL|S3_|VAWG_URL)/.test(name)) delete env[name];
  }
  return env;
}

export async function vawg(home: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [bin, ...args], { env: embeddedEnv(home), maxBuffer: 16 * 1024 * 1024 });
}

/** Starts `vawg` with these arguments, its stdout piped, and returns at once. */
export function spawnVawg(home: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { env: embeddedEnv(home), stdio: ['ignore', 'pipe', 'inherit'] });
}

export interface UpProcess {
  child: ChildProcess;
  url: string;
  databaseUrl: string;
}

/** Starts `vawg up` and waits until its API answers ready. */
export async function startUp(home: string): Promise<UpProcess> {
  const child = spawn(process.execPath, [bin, 'up', '--port', '0'], { env: embeddedEnv(home), stdio: ['ignore', 'ignore', 'inherit'] });
  const statePath = join(home, 'state.json');
  const state = await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`vawg up exited with ${child.exitCode}`);
    if (!existsSync(statePath)) throw new Error('no state yet');
    const s = JSON.parse(readFileSync(statePath, 'utf8')) as { pid: number; url: string; databaseUrl: string };
    if (s.pid !== child.pid) throw new Error('state of an earlier run');
    const ready = await fetch(`${s.url}/readyz`);
    if (ready.status !== 200) throw new Error(`not ready: ${ready.status}`);
    return s;
  }, { timeoutMs: 90_000, intervalMs: 250 });
  return { child, url: state.url, databaseUrl: state.databaseUrl };
}

export async function stopUp(up: UpProcess, signal: NodeJS.Signals): Promise<void> {
  if (up.child.exitCode !== null) return;
  const exited = new Promise((resolve) => up.child.once('exit', resolve));
  up.child.kill(signal);
  await exited;
}
