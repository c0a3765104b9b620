// Dead letters on PostgreSQL: stored once, counted in their submission's progress, discarded by an
// operator with a reason, and resolved by a redrive only when it carries the letter's own bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, migrate, withTransaction, type Pool } from '@vawg/db';
import { deadLetterOf, REDRIVE_HEADER } from '@vawg/contracts';
import { createTestDatabase, type TestDatabase } from '@vawg/testing';
import { claimRedrives, discardDeadLetters, listDeadLetters, pipelineMigrations, readAccounting, storeDeadLetter } from '../src/index.ts';

const raw = (line: number) => JSON.stringify({ v: 1, submissionId: '00000000-0000-4000-8000-0000000000aa', line, force: 'kent', receivedAt: '2026-05-01T08:00:00.000Z', event: { not: 'valid' } });
const message = (offset: number, value = raw(offset), headers: Record<string, string> = {}) =>
  ({ topic: 'vawg.raw.v1', partition: 2, offset, key: 'kent', value: Buffer.from(value), headers, timestamp: 0 });

describe('dead letters', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await migrate(pool, pipelineMigrations);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('are stored once, counted, discarded with a reason, and resolved only by their own bytes', async () => {
    const cause = { stage: 'validate' as const, error: new Error('bug'), attempts: 3, firstFailedAt: new Date(), at: new Date(), serviceVersion: 'test' };
    const first = deadLetterOf(message(7), cause);
    const second = deadLetterOf(message(8), cause);
    await pool.query(`INSERT INTO pipeline.progress VALUES ('00000000-0000-4000-8000-0000000000aa', 'ingest', 'accepted', 'kent', '2026-05-01T08:00:00Z', 2)`);
    for (const record of [first, second, first]) await withTransaction(pool, (client) => storeDeadLetter(client, record));
    const cutoff = new Date('2026-05-02T00:00:00Z');
    expect(await readAccounting(pool, cutoff)).toMatchObject({ accepted: 2, deadLettered: 2, discarded: 0, pending: { validate: 0, aggregate: 0 } });

    // A message naming the letter but carrying other bytes is no redrive of it.
    const forged = await withTransaction(pool, (client) => claimRedrives(client, 'validate', [message(20, raw(99), { [REDRIVE_HEADER]: first.id })]));
    expect(forged.size).toBe(0);
    expect((await listDeadLetters(pool, { ids: [first.id] }))[0]).toMatchObject({ status: 'dead' });

    // The operator discards one, with the reason on record.
    const discarded = await discardDeadLetters(pool, [second.id], 'content wrong at source; kent will resend it corrected');
    expect(discarded).toMatchObject([{ id: second.id, status: 'discarded', note: 'content wrong at source; kent will resend it corrected' }]);
    expect(await readAccounting(pool, cutoff)).toMatchObject({ deadLettered: 1, discarded: 1 });
    // The other is redriven: its own bytes resolve it, and a second copy is skipped.
    const twice = [message(21, raw(7), { [REDRIVE_HEADER]: first.id }), message(22, raw(7), { [REDRIVE_HEADER]: first.id })];
    const skip = await withTransaction(pool, (client) => claimRedrives(client, 'validate', twice));
    expect([...skip]).toEqual([22]);
    expect(await readAccounting(pool, cutoff)).toMatchObject({ deadLettered: 0, discarded: 1 });
    expect((await listDeadLetters(pool, { all: true })).map((l) => l.status).sort()).toEqual(['discarded', 'processed']);
  });
});
