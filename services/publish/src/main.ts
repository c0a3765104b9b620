// publish as its own process: `tsx services/publish/src/main.ts` (see README).
import { z } from 'zod';
import { commonEnv, envTypes, loadConfig, s3Env } from '@vawg/config';
import { createHttpApp } from '@vawg/http';
import { createRuntime, stopOnSignals, storeFromConfig } from '@vawg/runtime';
import pkg from '../package.json' with { type: 'json' };
import { DEFAULT_SCHEDULE, scheduleSetting, startPublish } from './publish-service.ts';

const config = loadConfig(z.object({
  ...commonEnv,
  ...s3Env,
  METRICS_PORT: envTypes.port.default(9103),
  PUBLISH_SCHEDULE: scheduleSetting.default(DEFAULT_SCHEDULE),
  /** Longest a run waits for validate and aggregate to process what was accepted by its cut-off. */
  PUBLISH_WAIT_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  /** How long after its cut-off a run first reads the account: requests received before it may still be writing receipts (ingest's deadline and more). */
  PUBLISH_SETTLE_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
}));
// A publication's recompute for a past cut-off reads every stored event: minutes, not seconds.
const runtime = await createRuntime('publish', pkg.version, config, { queryTimeoutMs: 30 * 60_000 });
const store = storeFromConfig(config);
const service = await startPublish({
  pool: runtime.pool, store, log: runtime.log, registry: runtime.registry, serviceVersion: runtime.serviceVersion,
  schedule: config.PUBLISH_SCHEDULE, bus: { bus: runtime.bus, topics: runtime.topics }, completenessWaitMs: config.PUBLISH_WAIT_MS,
  fenceDelayMs: 3 * config.S3_TIMEOUT_MS, settleMs: config.PUBLISH_SETTLE_MS,
});
const ops = createHttpApp({ logger: runtime.log, registry: runtime.registry, checks: [...runtime.checks, { name: 's3', check: () => store.ping() }] });
await ops.listen({ port: config.METRICS_PORT, host: '0.0.0.0' });
runtime.log.info('publish started');
stopOnSignals(runtime.log, async () => {
  await service.stop();
  await ops.close();
  await runtime.close();
  store.close();
});
