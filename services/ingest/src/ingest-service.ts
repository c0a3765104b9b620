// Wiring of ingest: given its dependencies, adds the /v1 routes to an HTTP app.
import type { Bus } from '@vawg/bus';
import type { Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import type { HttpApp } from '@vawg/http';
import { counter, type Registry } from '@vawg/metrics';
import { migrate } from '@vawg/db';
import { TOPIC_PARTITIONS, type Topics } from '@vawg/contracts';
import { createAuthenticate } from './authenticate.ts';
import { createCredentialLookup } from './credentials.ts';
import { createSubmitStep } from './submit.ts';
import { registerRoutes } from './routes.ts';

export const ingestMigrations = { scope: 'ingest', dir: new URL('../migrations/', import.meta.url) };

export interface IngestDeps {
  app: HttpApp;
  bus: Bus;
  pool: Pool;
  store: ObjectStore;
  topics: Topics;
  registry: Registry;
  serviceVersion: string;
}

export async function startIngest(deps: IngestDeps): Promise<void> {
  await migrate(deps.pool, ingestMigrations);
  await deps.store.ensureBucket();
  await deps.bus.ensureTopics([deps.topics.raw, deps.topics.refused].map((topic) => ({ topic, partitions: TOPIC_PARTITIONS })));
  const events = counter(deps.registry, 'vawg_ingest_events_total', 'Events received, by outcome', ['status']);
  await deps.app.register((scope, _options, done) => {
    registerRoutes(scope, {
      authenticate: createAuthenticate(createCredentialLookup(deps.pool)),
      submit: createSubmitStep(deps),
      pool: deps.pool,
      events,
    });
    done();
  });
}
