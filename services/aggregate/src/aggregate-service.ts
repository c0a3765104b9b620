// Wiring of aggregate: valid topic in, case state and KPI cells in PostgreSQL out.
import type { Bus, Subscription } from '@vawg/bus';
import { migrate, type Pool } from '@vawg/db';
import { topicSpecs, type Topics } from '@vawg/contracts';
import { counter, histogram, type Registry } from '@vawg/metrics';
import type { Logger } from '@vawg/log';
import { applyBatch } from './apply-batch.ts';
import { readPosition } from './case-store.ts';

export const aggregateMigrations = { scope: 'aggregate', dir: new URL('../migrations/', import.meta.url) };

export interface AggregateDeps {
  bus: Bus;
  pool: Pool;
  topics: Topics;
  registry: Registry;
  log: Logger;
}

export async function startAggregate(deps: AggregateDeps): Promise<Subscription> {
  const { bus, pool, topics } = deps;
  await migrate(pool, aggregateMigrations);
  await bus.ensureTopics(topicSpecs(topics));
  const groupId = `${topics.prefix}.aggregate`;
  const events = counter(deps.registry, 'vawg_aggregate_events_total', 'Valid events consumed, by result', ['result']);
  const seconds = histogram(deps.registry, 'vawg_aggregate_batch_seconds', 'Time to apply one batch in one transaction');

  return bus.subscribe({
    groupId,
    topics: [topics.valid],
    storedPosition: (topic, partition) => readPosition(pool, groupId, topic, partition),
    // Big batches: a batch's cell changes are summed before they are written.
    maxBytesPerPartition: 4 * 1024 * 1024,
    concurrency: 2,
    handler: async (batch) => {
      const end = seconds.startTimer();
      const outcome = await applyBatch(pool, groupId, batch);
      end();
      events.inc({ result: 'applied' }, outcome.applied);
      events.inc({ result: 'duplicate' }, outcome.duplicates);
      events.inc({ result: 'replayed' }, outcome.replayed);
      if (outcome.undecodable > 0) {
        events.inc({ result: 'undecodable' }, outcome.undecodable);
        deps.log.error({ topic: batch.topic, partition: batch.partition, count: outcome.undecodable }, 'undecodable valid messages skipped');
      }
    },
  });
}
