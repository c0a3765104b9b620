// How fast validate decides, without Kafka: the stateless contract alone, and the contract with
// the state rules and their PostgreSQL writes, on batches of 10,000 events of every type.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { ConsumedMessage } from '@vawg/bus';
import { createPool, migrate, withTransaction } from '@vawg/db';
import { parseEvent, type ForceEvent, type RawMessage } from '@vawg/contracts';
import { createTestDatabase } from '@vawg/testing';
import { arbitraryEvent, GENERATED_RECEIVED_AT } from '@vawg/contracts/arbitraries';
import { createContractStep, validateMigrations } from '@vawg/validate';
import { applyState } from '../../services/validate/src/state-step.ts';
import { createStateReader, writeChanges } from '../../services/validate/src/state-store.ts';
import { bestOf, type Rate } from './measure.ts';

const BATCH = 10_000;

export async function benchValidate(): Promise<Rate[]> {
  const events: ForceEvent[] = fc.sample(arbitraryEvent(undefined, 'kent'), { numRuns: BATCH, seed: 7 });
  const receivedAt = GENERATED_RECEIVED_AT.toISOString();
  const raw = events.map((event, i): ConsumedMessage => {
    const message: RawMessage = { v: 1, submissionId: randomUUID(), line: i + 1, force: 'kent', receivedAt, event };
    return { topic: 'raw', partition: 0, offset: i, key: 'kent', headers: {}, timestamp: 0, value: Buffer.from(JSON.stringify(message)) };
  });
  const checkContract = createContractStep('bench', () => GENERATED_RECEIVED_AT);
  const rates: Rate[] = [];

  rates.push(await bestOf('contract only (parseEvent)', BATCH, 5, () => {
    for (const event of events) if (!parseEvent(event, { force: 'kent', receivedAt: GENERATED_RECEIVED_AT }).ok) throw new Error('invalid');
  }));
  rates.push(await bestOf('contract step (decode + parse)', BATCH, 5, () => {
    for (const m of raw) if (checkContract(m).type !== 'ok') throw new Error('refused');
  }));

  const db = await createTestDatabase();
  const pool = createPool(db.url);
  try {
    await migrate(pool, validateMigrations);
    rates.push(await bestOf('validate batch (contract + state + PostgreSQL)', BATCH, 3, async () => {
      // Fresh event ids each round, so every round does the full work instead of dropping repeats.
      const messages = raw.map((m) => {
        const result = checkContract(m);
        if (result.type !== 'ok') throw new Error('refused');
        return { ...result.message, event: { ...result.message.event, eventId: randomUUID() } };
      });
      for (let i = 0; i < messages.length; i += 500) {
        await withTransaction(pool, async (client) => {
          const state = await applyState(messages.slice(i, i + 500), createStateReader(client));
          await writeChanges(client, state.changes);
        });
      }
    }));
  } finally {
    await pool.end();
    await db.drop();
  }
  return rates;
}
