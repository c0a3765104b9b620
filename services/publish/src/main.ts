// publish as its own process: `tsx services/publish/src/main.ts` (see README).
import { z } from 'zod';
import { baseEnv, envTypes, loadConfig, s3Env } from '@vawg/config';
import { createHttpApp } from '@vawg/http';
import { createLogger } from '@vawg/log';
import { createRegistry } from '@vawg/metrics';
import { createPool, databaseAnswers } from '@vawg/db';
import { stopOnSignals, storeFromConfig } from '@vawg/runtime';
import pkg from '../package.json' with { type: 'json' };
import { DEFAULT_SCHEDULE, startPublish } from './publish-service.ts';

const config = loadConfig(z.object({
  ...baseEnv,
  ...s3Env,
  METRICS_PORT: envTypes.port.default(9103),
  PUBLISH_SCHEDULE: z.string().default(DEFAULT_SCHEDULE),
}));
const log = createLogger('publish', config.LOG_LEVEL);
const registry = createRegistry();
const pool = createPool(config.DATABASE_URL, { applicationName: 'publish' });
const store = storeFromConfig(config);
const service = await startPublish({ pool, store, log, registry, serviceVersion: `publish@${pkg.version}`, schedule: config.PUBLISH_SCHEDULE });
const ops = createHttpApp({
  logger: log,
  registry,
  checks: [{ name: 'postgres', check: () => databaseAnswers(pool) }, { name: 's3', check: () => store.ping() }],
});
await ops.listen({ port: config.METRICS_PORT, host: '0.0.0.0' });
stopOnSignals(log, async () => {
  await service.stop();
  await ops.close();
  await pool.end();
  store.close();
});
