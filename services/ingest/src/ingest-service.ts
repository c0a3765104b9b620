// Wiring of ingest: given its dependencies, adds the /v1 routes to an HTTP app.
import type { Bus } from '@vawg/bus';
import type { Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import type { HttpApp } from '@vawg/http';
import { counter, type Registry } from '@vawg/metrics';
import { migrate } from '@vawg/db';
import { pipelineMigrations, startCompletenessMetrics, type RunningStage } from '@vawg/pipeline';
import { topicSpecs, type Topics } from '@vawg/contracts';
import { createAuthenticate } from './authenticate.ts';
import { createCredentialLookup } from './credentials.ts';
import { createSubmitStep } from './submit.ts';
import { registerRoutes } from './routes.ts';
import { registerContractRoute, registerRefusalRoutes } from './refusal-routes.ts';
import { registerOpenApiRoute } from './api-description.ts';
import { startRefusalStore } from './refusal-store.ts';
import { registerDocumentRoutes } from './document-routes.ts';
import type { FairShareLimits } from './fair-share.ts';
import { registerCompletenessRoutes } from './completeness-routes.ts';
import fastifyCookie from '@fastify/cookie';
import { createConsoleSessions } from './console-session.ts';
import { registerConsoleRoutes } from './console-routes.ts';
import { registerOperatorRoutes } from './operator-routes.ts';
import { startPipelineView } from './pipeline-view.ts';
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
  /** How often the completeness gauges are judged again (default 60 s). */
  completenessMetricsMs?: number;
  /** The operators' console: mark its cookie Secure over http too (behind a TLS proxy); how often GET /v1/pipeline samples (default 5 s). */
  console?: { secureCookie?: boolean; pipelineSampleMs?: number };
  /** Each force's fair share of POST /v1/events: batches in progress and events a second (fair-share.ts). */
  fairShare?: FairShareLimits;
  /** Documents uploading at once, per force and in all (default 4 and 16). */
  documentConcurrency?: { perForce: number; total: number };
}

export async function startIngest(deps: IngestDeps): Promise<RunningStage> {
  await migrate(deps.pool, pipelineMigrations);
  await migrate(deps.pool, ingestMigrations);
  await deps.store.ensureBucket();
  await deps.bus.ensureTopics(topicSpecs(deps.topics));
  const events = counter(deps.registry, 'vawg_ingest_events_total', 'Events received, by outcome', ['status']);
  // The operators' console: its session cookie stands in for a credential on its reads (authenticate.ts).
  await deps.app.register(fastifyCookie);
  const sessions = createConsoleSessions(deps.pool);
  const authenticate = createAuthenticate(createCredentialLookup(deps.pool), sessions.principalOf);
  const pipeline = startPipelineView({ ...deps, intervalMs: deps.console?.pipelineSampleMs });
  await deps.app.register((scope, _options, done) => {
    registerRoutes(scope, {
      authenticate,
      submit: createSubmitStep(deps),
      serviceVersion: deps.serviceVersion,
      deadlineMs: deps.deadlineMs ?? 10_000,
      pool: deps.pool,
      events,
      fairShare: deps.fairShare,
    });
    registerRefusalRoutes(scope, deps.pool);
    registerCompletenessRoutes(scope, deps.pool);
    registerOperatorRoutes(scope, { pool: deps.pool, store: deps.store, pipeline });
    done();
  });
  await deps.app.register((scope, _options, done) => {
    registerConsoleRoutes(scope, { authenticate, sessions, secureCookie: deps.console?.secureCookie });
    done();
  });
  // Documents in a scope of their own: their bodies stream through unread (document-routes.ts).
  await deps.app.register((scope, _options, done) => {
    registerDocumentRoutes(scope, { authenticate, pool: deps.pool, store: deps.store, concurrency: deps.documentConcurrency });
    done();
  });
  await deps.app.register((scope, _options, done) => {
    registerContractRoute(scope);
    registerOpenApiRoute(scope);
    done();
  });
  const refusals = await startRefusalStore(deps);
  // Completeness as gauges for the alert rules, judged every minute (or COMPLETENESS_METRICS_MS).
  const completeness = startCompletenessMetrics({ pool: deps.pool, registry: deps.registry, log: deps.log, intervalMs: deps.completenessMetricsMs });
  return { ...refusals, stop: async () => { completeness.stop(); pipeline.stop(); await refusals.stop(); } };
}
