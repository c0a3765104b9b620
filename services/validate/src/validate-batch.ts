// One batch of raw messages, in one PostgreSQL transaction: claim the partition's position and
// skip what is below it; resolve redriven dead letters; apply the contract, then the rules of
// state; write the state; publish the valid events and the refusals; count every event's fate
// in its submission's progress; store the new position. Outputs are published before the commit:
// a crash in between decides and publishes again from the same position (aggregate and the
// refusal store drop the repeats); a commit is never made for outputs that were not published.
import { RewindTo, type Batch, type Bus, type OutgoingMessage } from '@vawg/bus';
import type { Topics, ValidMessage } from '@vawg/contracts';
import { withTransaction, type Pool } from '@vawg/db';
import type { Counter } from '@vawg/metrics';
import { claimRedrives, CompletenessTally, PoisonMessage, ProgressTally, recordCompleteness, recordProgress, type PositionStore } from '@vawg/pipeline';
import { createContractStep } from './contract-step.ts';
import { applyState } from './state-step.ts';
import { createStateReader, writeChanges } from './state-store.ts';
import { stateFailure } from './failure.ts';

export interface ValidateBatchDeps {
  pool: Pool;
  bus: Bus;
  topics: Topics;
  positions: PositionStore;
  serviceVersion: string;
  events: Counter<'result'>;
}

const keyed = (key: string, value: unknown): OutgoingMessage => ({ key, value: JSON.stringify(value) });

export function createValidateBatch(deps: ValidateBatchDeps) {
  const checkContract = createContractStep(deps.serviceVersion);
  return async function validateBatch(batch: Batch): Promise<void> {
    const counts = await withTransaction(deps.pool, async (client) => {
      const next = await deps.positions.claim(client, batch.topic, batch.partition);
      // The stored position is the truth: a consumer past it goes back rather than skip.
      if (batch.messages[0]!.offset > next) throw new RewindTo(next);
      const fresh = batch.messages.filter((m) => m.offset >= next);
      if (fresh.length === 0) return null;
      const skip = await claimRedrives(client, 'validate', fresh);
      const tally = new ProgressTally();
      const cells = new CompletenessTally();
      const passed: ValidMessage[] = [];
      const refused: OutgoingMessage[] = [];
      for (const message of fresh) {
        if (skip.has(message.offset)) continue;
        const result = checkContract(message);
        if (result.type === 'undecodable') throw new PoisonMessage(message.offset, result.reason);
        if (result.type === 'ok') passed.push(result.message);
        else {
          refused.push(keyed(result.failure.force, result.failure));
          tally.add(result.failure, 'validate', 'refused');
          cells.add(result.failure.force, result.failure.original, 'refused');
        }
      }
      const state = await applyState(passed, createStateReader(client));
      await writeChanges(client, state.changes);
      const now = new Date();
      state.outcomes.forEach((o, i) => {
        if (o.type === 'refuse') refused.push(keyed(passed[i]!.force, stateFailure(passed[i]!, o.code, o.text, deps.serviceVersion, now)));
      });
      for (const r of state.lateRefusals) refused.push(keyed(r.message.force, stateFailure(r.message, r.code, r.text, deps.serviceVersion, now)));
      for (const f of state.fates) {
        if (f.from) tally.add(f.message, 'validate', f.from, -1);
        tally.add(f.message, 'validate', f.to);
        if (f.to === 'duplicate' || f.to === 'refused') cells.add(f.message.force, f.message.event, f.to === 'duplicate' ? 'duplicates' : 'refused');
      }
      await Promise.all([
        deps.bus.publish(deps.topics.valid, state.emitted.map((m) => keyed(m.force, m))),
        deps.bus.publish(deps.topics.refused, refused),
      ]);
      await recordProgress(client, tally);
      await recordCompleteness(client, cells);
      await deps.positions.save(client, batch.topic, batch.partition, fresh[fresh.length - 1]!.offset + 1);
      const count = (type: string) => state.outcomes.filter((o) => o.type === type).length;
      return { valid: state.emitted.length, duplicate: count('drop'), held: count('hold'), refused: refused.length, redriveRepeats: skip.size };
    });
    if (!counts) return;
    deps.events.inc({ result: 'valid' }, counts.valid);
    deps.events.inc({ result: 'duplicate' }, counts.duplicate + counts.redriveRepeats);
    deps.events.inc({ result: 'held' }, counts.held);
    deps.events.inc({ result: 'refused' }, counts.refused);
  };
}
