// The four services as processes of their own, each killable (SIGKILL: no clean stop) and
// restartable on the same ports: what a fault trial does to them.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@vawg/infra';

export type ServiceName = 'ingest' | 'validate' | 'aggregate' | 'publish';
export const serviceNames: ServiceName[] = ['ingest', 'validate', 'aggregate', 'publish'];

export interface ServiceProcess {
  name: ServiceName;
  /** The HTTP port: the API for ingest, /metrics and /readyz for the others. */
  port: number;
  start(extraEnv?: Record<string, string>): void;
  kill(signal?: NodeJS.Signals): Promise<void>;
  running(): boolean;
  /** Resolves once /healthz answers: the process is up (not necessarily caught up). */
  up(timeoutMs?: number): Promise<void>;
}

/** Children still running when the harness exits (a test runner timing out, say) go with it. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export function serviceProcess(name: ServiceName, port: number, env: Record<string, string>, logDir: string): ServiceProcess {
  let child: ChildProcess | undefined;
  let extra: Record<string, string> = {};
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    name,
    port,
    start(extraEnv) {
      if (alive()) throw new Error(`${name} is already running`);
      if (extraEnv) extra = extraEnv;
      const log = openSync(join(logDir, `${name}.log`), 'a');
      const portVariable = name === 'ingest' ? { PORT: String(port), HOST: '127.0.0.1' } : { METRICS_PORT: String(port) };
      child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'services', name, 'src', 'main.ts')], {
        cwd: join(repoRoot, 'services', name), env: { ...process.env, ...env, ...portVariable, ...extra }, stdio: ['ignore', log, log],
      });
      closeSync(log);
      const started = child;
      children.add(started);
      started.once('exit', () => children.delete(started));
    },
    async kill(signal = 'SIGKILL') {
      const c = child;
      if (!c || !alive()) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill(signal);
      await exited;
    },
    running: alive,
    async up(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!alive()) throw new Error(`${name} exited (${child?.exitCode ?? child?.signalCode}); see ${join(logDir, `${name}.log`)}`);
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`${name} did not come up in ${timeoutMs / 1000} s; see ${join(logDir, `${name}.log`)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}
