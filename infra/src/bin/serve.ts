// Usage: node --import tsx serve.ts <postgres|s3> <env file>
// Keeps embedded PostgreSQL or s3rver running in this process until SIGTERM; writes the env file
// once it is ready (infra.ts start waits for it).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from '../paths.ts';
import { startEmbeddedPostgres } from '../postgres.ts';
import { startS3rver } from '../s3.ts';

const [name, envFile] = process.argv.slice(2);
if (!envFile || (name !== 'postgres' && name !== 's3')) {
  console.error('usage: serve <postgres|s3> <env file>');
  process.exit(2);
}

let stop: () => Promise<void>;
let env: string;
if (name === 'postgres') {
  const db = await startEmbeddedPostgres(join(cacheDir, 'run', 'pg'));
  stop = db.stop;
  env = `DATABASE_URL=${db.url}\n`;
} else {
  const s3 = await startS3rver(join(cacheDir, 'run', 's3'));
  stop = s3.stop;
  env = [`S3_ENDPOINT=${s3.endpoint}`, `S3_ACCESS_KEY_ID=${s3.accessKeyId}`, `S3_SECRET_ACCESS_KEY=${s3.secretAccessKey}`, `S3_REGION=${s3.region}`, 'S3_FORCE_PATH_STYLE=true', ''].join('\n');
}
await writeFile(envFile, env);
console.log(`${name} ready`);
const shutdown = () => {
  stop().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
