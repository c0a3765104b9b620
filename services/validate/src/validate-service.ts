// Wiring of validate: raw topic in; valid, refused and dead-letter topics out; memory in PostgreSQL.
import type { Bus, Batch, OutgoingMessage, Subscription } from '@vawg/bus';
import { migrate, withTransaction, type Pool } from '@vawg/db';
import { topicSpecs, type Topics, type ValidMessage } from '@vawg/contracts';
import { counter, type Registry } from '@vawg/metrics';
import type { Logger } from '@vawg/log';
import { createContractStep } from './contract-step.ts';
import { applyState } from './state-step.ts';
import { createStateReader, writeChanges } from './state-store.ts';
import { stateFailure } from './failure.ts';
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

const keyed = (key: string, value: unknown): OutgoingMessage => ({ key, value: JSON.stringify(value) });

export async function startValidate(deps: ValidateDeps): Promise<Subscription> {
  const { bus, pool, topics } = deps;
  await migrate(pool, validateMigrations);
  await bus.ensureTopics(topicSpecs(topics));
  const checkContract = createContractStep(deps.serviceVersion);
  const outcomes = counter(deps.registry, 'vawg_validate_events_total', 'Events validated, by result', ['result']);

  async function handle(batch: Batch): Promise<void> {
    const passed: ValidMessage[] = [];
    const refused: OutgoingMessage[] = [];
    const dead: OutgoingMessage[] = [];
    for (const message of batch.messages) {
      const result = checkContract(message);
      if (result.type === 'ok') passed.push(result.message);
      else if (result.type === 'refuse') refused.push(keyed(result.failure.force, result.failure));
      else {
        deps.log.error({ topic: message.topic, partition: message.partition, offset: message.offset, reason: result.letter.reason }, 'dead letter');
        dead.push(keyed(message.key ?? 'unknown', result.letter));
      }
    }
    // Outputs are published inside the transaction, before it commits: a crash before the commit
    // decides again and publishes again (aggregate and the refusal store drop the repeats); a
    // commit is never made for outputs that were not published.
    const counts = await withTransaction(pool, async (client) => {
      const state = await applyState(passed, createStateReader(client));
      await writeChanges(client, state.changes);
      const now = new Date();
      state.outcomes.forEach((o, i) => {
        if (o.type === 'refuse') refused.push(keyed(passed[i]!.force, stateFailure(passed[i]!, o.code, o.text, deps.serviceVersion, now)));
      });
      for (const r of state.lateRefusals) refused.push(keyed(r.message.force, stateFailure(r.message, r.code, r.text, deps.serviceVersion, now)));
      await Promise.all([
        bus.publish(topics.valid, state.emitted.map((m) => keyed(m.force, m))),
        bus.publish(topics.refused, refused),
        bus.publish(topics.deadLetter, dead),
      ]);
      const count = (type: string) => state.outcomes.filter((o) => o.type === type).length;
      return { valid: state.emitted.length, duplicate: count('drop'), held: count('hold'), conflict: count('refuse') };
    });
    outcomes.inc({ result: 'valid' }, counts.valid);
    outcomes.inc({ result: 'duplicate' }, counts.duplicate);
    outcomes.inc({ result: 'held' }, counts.held);
    outcomes.inc({ result: 'refused' }, refused.length);
    outcomes.inc({ result: 'dead-letter' }, dead.length);
  }

  const subscription = await bus.subscribe({
    groupId: `${topics.prefix}.validate`, topics: [topics.raw], handler: handle, maxBytesPerPartition: 4 * 1024 * 1024, concurrency: 2,
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
    async stop() {
      clearInterval(timer);
      await sweeping;
      await subscription.stop();
    },
  };
}
