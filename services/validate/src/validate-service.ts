// Wiring of validate: raw topic in; valid, refused and dead-letter topics out.
import type { Bus, Batch, OutgoingMessage, Subscription } from '@vawg/bus';
import { TOPIC_PARTITIONS, type Topics } from '@vawg/contracts';
import { counter, type Registry } from '@vawg/metrics';
import type { Logger } from '@vawg/log';
import { createContractStep } from './contract-step.ts';

export interface ValidateDeps {
  bus: Bus;
  topics: Topics;
  registry: Registry;
  log: Logger;
  serviceVersion: string;
}

export async function startValidate(deps: ValidateDeps): Promise<Subscription> {
  const { bus, topics } = deps;
  await bus.ensureTopics([topics.raw, topics.valid, topics.refused, topics.deadLetter].map((topic) => ({ topic, partitions: TOPIC_PARTITIONS })));
  const checkContract = createContractStep(deps.serviceVersion);
  const outcomes = counter(deps.registry, 'vawg_validate_events_total', 'Events validated, by result', ['result']);

  async function handle(batch: Batch): Promise<void> {
    const valid: OutgoingMessage[] = [];
    const refused: OutgoingMessage[] = [];
    const dead: OutgoingMessage[] = [];
    for (const message of batch.messages) {
      const result = checkContract(message);
      const key = message.key ?? 'unknown';
      if (result.type === 'ok') valid.push({ key, value: JSON.stringify(result.message) });
      else if (result.type === 'refuse') refused.push({ key, value: JSON.stringify(result.failure) });
      else {
        deps.log.error({ topic: message.topic, partition: message.partition, offset: message.offset, reason: result.letter.reason }, 'dead letter');
        dead.push({ key, value: JSON.stringify(result.letter) });
      }
    }
    // Published before the batch is acknowledged: a crash here re-validates and re-publishes,
    // and aggregate drops the repeats by eventId.
    await Promise.all([bus.publish(topics.valid, valid), bus.publish(topics.refused, refused), bus.publish(topics.deadLetter, dead)]);
    outcomes.inc({ result: 'valid' }, valid.length);
    outcomes.inc({ result: 'refused' }, refused.length);
    outcomes.inc({ result: 'dead-letter' }, dead.length);
  }

  return bus.subscribe({ groupId: `${topics.prefix}.validate`, topics: [topics.raw], handler: handle });
}
