// Usage (from a service folder): tsx ../../infra/src/bin/build-service.ts
// Bundles the service's src/main.ts, with every workspace library, into dist/app/main.js, and
// copies what it reads at run time beside it: the migrations it runs and the reference data. The
// deployable is then `node dist/app/main.js` with production node_modules (see Dockerfile).
import { cp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from '../paths.ts';

const serviceDir = process.cwd();
const dist = join(serviceDir, 'dist');
await rm(dist, { recursive: true, force: true });
await build({
  entryPoints: [join(serviceDir, 'src', 'main.ts')],
  outfile: join(dist, 'app', 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // npm packages stay in node_modules; our own workspaces (TypeScript source) are bundled.
  external: ['kafkajs', 'pg', 'pg-native', 'fastify', 'pino', 'prom-client', 'zod', '@aws-sdk/*', 'node-cron', 'csv-parse', 'csv-parse/*', '@fastify/cookie', 'highs'],
  logLevel: 'warning',
});
// Paths are resolved as `new URL('../<folder>/', import.meta.url)` from a file one level down.
await mkdir(dist, { recursive: true });
await cp(join(repoRoot, 'contracts', 'reference'), join(dist, 'reference'), { recursive: true });
// Every set of migrations the service may run, one folder per scope (VAWG_MIGRATIONS_DIR, see
// libs/db/src/migrate.ts): its own, and those of the libraries it bundles.
const scope = serviceDir.split('/').at(-1)!;
const sets: [string, string][] = [[scope, join(serviceDir, 'migrations')], ['pipeline', join(repoRoot, 'libs', 'pipeline', 'migrations')], ['bus', join(repoRoot, 'libs', 'bus', 'migrations')]];
for (const [name, from] of sets) if (existsSync(from)) await cp(from, join(dist, 'migrations', name), { recursive: true });
// Files a service serves as they are (ingest's operators' console, src/console/), read from
// `new URL('./console/', import.meta.url)`: beside the bundle.
const served = join(serviceDir, 'src', 'console');
if (existsSync(served)) await cp(served, join(dist, 'app', 'console'), { recursive: true, filter: (path) => !path.endsWith('tsconfig.json') });
console.log(`built ${join(dist, 'app', 'main.js')}`);
