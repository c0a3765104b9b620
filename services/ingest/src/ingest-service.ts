// Wiring of ingest: given its dependencies, adds the /v1 routes to an HTTP app.
import type { Bus } from '@vawg/bus';
import type { Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import type { HttpApp } from '@vawg/http';
import { counter, type Registry } from '@vawg/metrics';
import { migrate } from '@vawg/db';
import { pipelineMigrations, type RunningStage } from '@vawg/pipeline';
import { topicSpecs, type Topics } from '@vawg/contracts';
import { createAuthenticate } from './authenticate.ts';
import { createCredentialLookup } from './credentials.ts';
import { createSubmitStep } from './submit.ts';
import { registerRoutes } from './routes.ts';
import { registerContractRoute, registerRefusalRoutes } from './refusal-routes.ts';
import { startRefusalStore } from './refusal-store.ts';
import type { Logger } from '@vawg/log';

export const ingestMigrations = { scope: 'ingest', dir: new URL('../migrations/', import.meta.url) };

export interface IngestDeps {
  app: HttpApp;
  bus: Bus;
  pool: Pool;
  store: ObjectStore;
  topics: Topics;
  registry: Registry;
  log: Logger;
  serviceVersion: string;
  /** A POST /v1/events is answered 202 or 503 within this (default 10 s). */
  deadlineMs?: number;
}

export async function startIngest(deps: IngestDeps): Promise<RunningStage> {
  await migrate(deps.pool, pipelineMigrations);
  await migrate(deps.pool, ingestMigrations);
  await deps.store.ensureBucket();
  await deps.bus.ensureTopics(topicSpecs(deps.topics));
  const events = counter(deps.registry, 'vawg_ingest_events_total', 'Events received, by outcome', ['status']);
  await deps.app.register((scope, _options, done) => {
    registerRoutes(scope, {
      authenticate: createAuthenticate(createCredentialLookup(deps.pool)),
      submit: createSubmitStep(deps),
      deadlineMs: deps.deadlineMs ?? 10_000,
      pool: deps.pool,
      events,
    });
    registerRefusalRoutes(scope, deps.pool);
    done();
  });
  await deps.app.register((scope, _options, done) => {
    registerContractRoute(scope);
    done();
  });
  return startRefusalStore(deps);
}
