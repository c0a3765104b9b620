// ingest as its own process: `tsx services/ingest/src/main.ts` (see README for the environment).
import { z } from 'zod';
import { commonEnv, envTypes, loadConfig, s3Env } from '@vawg/config';
import { createHttpApp } from '@vawg/http';
import { createRuntime, stopOnSignals, storeFromConfig, watchStages, type StageWatch } from '@vawg/runtime';
import pkg from '../package.json' with { type: 'json' };
import { startIngest } from './ingest-service.ts';
import { createOperatorCheck } from './credentials.ts';

const config = loadConfig(z.object({
  ...commonEnv,
  ...s3Env,
  PORT: envTypes.port.default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** A POST /v1/events is answered 202 or 503 within this, whatever its dependencies do. */
  INGEST_DEADLINE_MS: z.coerce.number().int().min(1000).max(120_000).default(10_000),
  /** Load balancers in front (comma-separated addresses or CIDR ranges) whose X-Forwarded-For is believed. */
  INGEST_TRUSTED_PROXIES: z.string().optional().transform((v) => (v ? v.split(',').map((p) => p.trim()).filter(Boolean) : [])),
  /** `true` behind a TLS-terminating proxy: the console's session cookie is then always Secure (it is over https anyway). */
  CONSOLE_SECURE_COOKIE: envTypes.flag.default(false),
}));

const runtime = await createRuntime('ingest', pkg.version, config);
const store = storeFromConfig(config);
const checks = [...runtime.checks, { name: 's3', check: () => store.ping() }];
// The routes are registered on the app before the refusal store starts: its watch comes after.
const started: { watch?: StageWatch } = {};
const app = createHttpApp({
  logger: runtime.log, registry: runtime.registry, checks, trustedProxies: config.INGEST_TRUSTED_PROXIES, details: () => started.watch?.details() ?? Promise.resolve({}),
  // The forces' port: metrics and the lag tell of each force's activity, so operators only.
  operator: createOperatorCheck(runtime.pool),
});
const ingest = await startIngest({ app, store, ...runtime, deadlineMs: config.INGEST_DEADLINE_MS, console: { secureCookie: config.CONSOLE_SECURE_COOKIE } });
const watch = watchStages(runtime, [ingest]);
started.watch = watch;
checks.push(...watch.checks);
await app.listen({ port: config.PORT, host: config.HOST });
stopOnSignals(runtime.log, async () => {
  watch.stop();
  await app.close();
  await ingest.stop();
  await runtime.close();
  store.close();
});
