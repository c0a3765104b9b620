// Runs a service's built bundle (npm run build) as its own process, as it runs in production.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ServiceProcess {
  child: ChildProcess;
  /** Peak resident memory so far, in MiB (VmHWM). */
  peakRssMiB(): number;
  stop(): Promise<void>;
}

export function startService(name: 'validate' | 'aggregate' | 'ingest', env: Record<string, string>): ServiceProcess {
  const main = fileURLToPath(new URL(`../../services/${name}/dist/app/main.js`, import.meta.url));
  const child = spawn(process.execPath, ['--max-semi-space-size=32', main], {
    env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'error', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let peak = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      // gone
    }
  };
  const timer = setInterval(sample, 500);
  return {
    child,
    peakRssMiB: () => {
      sample();
      return Math.round(peak);
    },
    async stop() {
      sample();
      clearInterval(timer);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
