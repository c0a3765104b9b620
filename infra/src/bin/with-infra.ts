// Usage: tsx infra/src/bin/with-infra.ts -- <command> [args...]
// Runs the command with a Kafka broker, PostgreSQL and an S3 endpoint: those named in the
// environment, the rest started here and stopped afterwards. Exits with the command's status.
import { spawn } from 'node:child_process';
import { startLocalStack } from '../local-stack.ts';

const separator = process.argv.indexOf('--');
const [command, ...args] = separator >= 0 ? process.argv.slice(separator + 1) : [];
if (!command) {
  console.error('usage: with-infra -- <command> [args...]');
  process.exit(2);
}

const stack = await startLocalStack();
for (const line of stack.report) console.error(`infra: ${line}`);
const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...stack.env } });
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const status = await new Promise<number>((resolve) => {
  child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});
await stack.stop();
process.exit(status);
