// The four services in one process, joined by whichever bus is given: what `vawg up` runs, and
// what the end-to-end tests run against the real broker.
import type { Bus } from '@vawg/bus';
import type { Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import type { Topics } from '@vawg/contracts';
import type { Logger } from '@vawg/log';
import { createRegistry } from '@vawg/metrics';
import { createHttpApp } from '@vawg/http';
import { databaseAnswers } from '@vawg/db';
import { createOperatorCheck, startIngest } from '@vawg/ingest';
import { startValidate } from '@vawg/validate';
import { startAggregate } from '@vawg/aggregate';
import { startPublish } from '@vawg/publish';
import { watchStages } from '@vawg/runtime';

export interface ServicesOptions {
  bus: Bus;
  pool: Pool;
  store: ObjectStore;
  topics: Topics;
  log: Logger;
  host: string;
  port: number;
  version: string;
  /** Publication calendar; the default is the spec's. */
  schedule?: string;
  /** How often the completeness gauges are judged (default 60 s). */
  completenessMetricsMs?: number;
}

export interface RunningServices {
  url: string;
  stop(): Promise<void>;
}

export async function startServices(options: ServicesOptions): Promise<RunningServices> {
  const { bus, pool, store, topics, log } = options;
  const registry = createRegistry();
  const checks = [
    { name: 'bus', check: () => bus.ping() },
    { name: 'postgres', check: () => databaseAnswers(pool) },
    { name: 's3', check: () => store.ping() },
  ];
  let details: () => Promise<Record<string, unknown>> = () => Promise.resolve({});
  // One port for forces and operators: metrics and the lag tell of each force's activity, so operators only.
  // Bodies of 1 MiB at most everywhere but POST /v1/events, which sets its own 10 MiB.
  const app = createHttpApp({ logger: log, registry, checks, details: () => details(), operator: createOperatorCheck(pool) });
  const serviceVersion = (name: string) => `${name}@${options.version}`;
  const stages = {
    refusals: await startIngest({ app, bus, pool, store, topics, registry, log: log.child({ service: 'ingest' }), serviceVersion: serviceVersion('ingest'), completenessMetricsMs: options.completenessMetricsMs }),
    validate: await startValidate({ bus, pool, topics, registry, log: log.child({ service: 'validate' }), serviceVersion: serviceVersion('validate') }),
    aggregate: await startAggregate({ bus, pool, topics, registry, log: log.child({ service: 'aggregate' }), serviceVersion: serviceVersion('aggregate') }),
  };
  const watch = watchStages({ bus, pool, registry, log }, Object.values(stages));
  checks.push(...watch.checks);
  details = watch.details;
  const publish = await startPublish({
    pool, store, registry, log: log.child({ service: 'publish' }), serviceVersion: serviceVersion('publish'), schedule: options.schedule,
    bus: { bus, topics },
  });
  const address = await app.listen({ host: options.host, port: options.port });
  return {
    url: address,
    async stop() {
      await app.close();
      await publish.stop();
      watch.stop();
      for (const stage of Object.values(stages)) await stage.stop();
    },
  };
}
