// Prometheus's own promtool (Debian's `prometheus` package; `.ci/run` installs it).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs promtool in `cwd` and gives its output; throws with the output when it fails. */
export async function promtool(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd });
    return stdout + stderr;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('no promtool: install Debian\'s `prometheus` package (`.ci/run` does)');
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
