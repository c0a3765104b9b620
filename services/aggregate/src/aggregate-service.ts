// Wiring of aggregate: valid topic in, case state and KPI cells in PostgreSQL out; every batch
// through the stage runner (libs/pipeline), positions kept with the cells.
import type { Bus } from '@vawg/bus';
import { databaseAnswers, migrate, type Pool } from '@vawg/db';
import { topicSpecs, type Topics } from '@vawg/contracts';
import { counter, histogram, type Registry } from '@vawg/metrics';
import type { Logger } from '@vawg/log';
import { createDeadLetterWriter, createStageRunner, pipelineMigrations, oldestUnprocessed, positionsOf, positionStore, type RunningStage } from '@vawg/pipeline';
import { applyBatch } from './apply-batch.ts';

export const aggregateMigrations = { scope: 'aggregate', dir: new URL('../migrations/', import.meta.url) };

export interface AggregateDeps {
  bus: Bus;
  pool: Pool;
  topics: Topics;
  registry: Registry;
  log: Logger;
  serviceVersion: string;
}

export const aggregateGroup = (topics: Topics) => `${topics.prefix}.aggregate`;
export const aggregatePositions = (topics: Topics) => positionStore('aggregate.consumer_offsets', aggregateGroup(topics));

export async function startAggregate(deps: AggregateDeps): Promise<RunningStage> {
  const { bus, pool, topics } = deps;
  await migrate(pool, pipelineMigrations);
  await migrate(pool, aggregateMigrations);
  await bus.ensureTopics(topicSpecs(topics));
  const positions = aggregatePositions(topics);
  const events = counter(deps.registry, 'vawg_aggregate_events_total', 'Valid events consumed, by result', ['result']);
  const seconds = histogram(deps.registry, 'vawg_aggregate_batch_seconds', 'Time to apply one batch in one transaction');
  const runner = createStageRunner({
    stage: 'aggregate',
    handle: async (batch) => {
      const end = seconds.startTimer();
      const outcome = await applyBatch(pool, positions, batch);
      end();
      events.inc({ result: 'applied' }, outcome.applied);
      events.inc({ result: 'duplicate' }, outcome.duplicates);
      events.inc({ result: 'replayed' }, outcome.replayed);
    },
    deadLetter: createDeadLetterWriter({ stage: 'aggregate', pool, bus, topic: topics.deadLetter, serviceVersion: deps.serviceVersion, registry: deps.registry, log: deps.log, positions }),
    healthy: async () => (await databaseAnswers(pool)) && (await bus.ping()),
    log: deps.log,
    registry: deps.registry,
  });
  const subscription = await bus.subscribe({
    groupId: aggregateGroup(topics),
    topics: [topics.valid],
    storedPosition: (topic, partition) => positions.read(pool, topic, partition),
    // Big batches: a batch's cell changes are summed before they are written.
    maxBytesPerPartition: 4 * 1024 * 1024,
    concurrency: 2,
    handler: runner.handler,
  });
  return {
    ready: () => runner.ready(),
    watch: { stage: 'aggregate', topic: topics.valid, positions: positionsOf(positions, pool, topics.valid), oldest: () => oldestUnprocessed(pool, 'aggregate') },
    async stop() {
      runner.stop();
      await subscription.stop();
    },
  };
}
