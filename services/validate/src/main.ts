// validate as its own process: `tsx services/validate/src/main.ts` (see README).
import { z } from 'zod';
import { commonEnv, envTypes, loadConfig } from '@vawg/config';
import { createHttpApp } from '@vawg/http';
import { createRuntime, stopOnSignals, watchStages } from '@vawg/runtime';
import pkg from '../package.json' with { type: 'json' };
import { startValidate } from './validate-service.ts';

const config = loadConfig(z.object({
  ...commonEnv,
  METRICS_PORT: envTypes.port.default(9101),
  VALIDATE_HOLD_DAYS: z.coerce.number().int().min(1).max(365).default(30),
}));
const runtime = await createRuntime('validate', pkg.version, config);
const subscription = await startValidate({ ...runtime, holdDays: config.VALIDATE_HOLD_DAYS });
const watch = watchStages(runtime, [subscription]);
const ops = createHttpApp({ logger: runtime.log, registry: runtime.registry, checks: [...runtime.checks, ...watch.checks], details: watch.details });
await ops.listen({ port: config.METRICS_PORT, host: '0.0.0.0' });
stopOnSignals(runtime.log, async () => {
  watch.stop();
  await subscription.stop();
  await ops.close();
  await runtime.close();
});
