// Wiring of validate: raw topic in; valid, refused and dead-letter topics out; memory, positions
// and progress in PostgreSQL; every batch through the stage runner (libs/pipeline).
import type { Bus } from '@vawg/bus';
import { databaseAnswers, migrate, type Pool } from '@vawg/db';
import { topicSpecs, type Topics } from '@vawg/contracts';
import { counter, type Registry } from '@vawg/metrics';
import type { Logger } from '@vawg/log';
import { createDeadLetterWriter, createStageRunner, pipelineMigrations, oldestUnprocessed, positionsOf, positionStore, type RunningStage } from '@vawg/pipeline';
import { createValidateBatch } from './validate-batch.ts';
import { expireHolds, HOLD_DAYS } from './expire-holds.ts';

export const validateMigrations = { scope: 'validate', dir: new URL('../migrations/', import.meta.url) };

export interface ValidateDeps {
  bus: Bus;
  pool: Pool;
  topics: Topics;
  registry: Registry;
  log: Logger;
  serviceVersion: string;
  holdDays?: number;
  /** How often held events are checked for expiry (default hourly). */
  sweepIntervalMs?: number;
}

export const validateGroup = (topics: Topics) => `${topics.prefix}.validate`;

export async function startValidate(deps: ValidateDeps): Promise<RunningStage> {
  const { bus, pool, topics } = deps;
  await migrate(pool, pipelineMigrations);
  await migrate(pool, validateMigrations);
  await bus.ensureTopics(topicSpecs(topics));
  const groupId = validateGroup(topics);
  const positions = positionStore('validate.consumer_offsets', groupId);
  const events = counter(deps.registry, 'vawg_validate_events_total', 'Events validated, by result', ['result']);
  const runner = createStageRunner({
    stage: 'validate',
    handle: createValidateBatch({ pool, bus, topics, positions, serviceVersion: deps.serviceVersion, events }),
    deadLetter: createDeadLetterWriter({ stage: 'validate', pool, bus, topic: topics.deadLetter, serviceVersion: deps.serviceVersion, registry: deps.registry, log: deps.log, positions }),
    healthy: async () => (await databaseAnswers(pool)) && (await bus.ping()),
    log: deps.log,
    registry: deps.registry,
  });
  const subscription = await bus.subscribe({
    groupId, topics: [topics.raw], handler: runner.handler, storedPosition: (topic, partition) => positions.read(pool, topic, partition),
    maxBytesPerPartition: 4 * 1024 * 1024, concurrency: 2,
  });

  const expired = counter(deps.registry, 'vawg_validate_holds_expired_total', 'Held events refused after waiting too long');
  let sweeping: Promise<void> = Promise.resolve();
  const sweep = () => {
    sweeping = expireHolds({ ...deps, holdDays: deps.holdDays ?? HOLD_DAYS }, new Date())
      .then((n) => { expired.inc(n); })
      .catch((error: unknown) => deps.log.error({ err: error }, 'expiring held events failed; will retry'));
  };
  sweep();
  const timer = setInterval(sweep, deps.sweepIntervalMs ?? 3_600_000);
  timer.unref();
  return {
    ready: () => runner.ready(),
    watch: { stage: 'validate', topic: topics.raw, positions: positionsOf(positions, pool, topics.raw), oldest: () => oldestUnprocessed(pool, 'validate') },
    async stop() {
      clearInterval(timer);
      runner.stop();
      await sweeping;
      await subscription.stop();
    },
  };
}
