// aggregate as its own process: `tsx services/aggregate/src/main.ts` (see README).
import { z } from 'zod';
import { commonEnv, envTypes, loadConfig } from '@vawg/config';
import { createHttpApp } from '@vawg/http';
import { createRuntime, stopOnSignals, watchStages } from '@vawg/runtime';
import pkg from '../package.json' with { type: 'json' };
import { startAggregate } from './aggregate-service.ts';

const config = loadConfig(z.object({ ...commonEnv, METRICS_PORT: envTypes.port.default(9102) }));
const runtime = await createRuntime('aggregate', pkg.version, config);
const subscription = await startAggregate(runtime);
const watch = watchStages(runtime, [subscription]);
const ops = createHttpApp({ logger: runtime.log, registry: runtime.registry, checks: [...runtime.checks, ...watch.checks], details: watch.details });
await ops.listen({ port: config.METRICS_PORT, host: '0.0.0.0' });
runtime.log.info('aggregate started');
stopOnSignals(runtime.log, async () => {
  watch.stop();
  await subscription.stop();
  await ops.close();
  await runtime.close();
});
