// The account of what became of the events received by a cut-off, from pipeline.progress as the
// stages write it: every category, by force, the identity they keep, and how far behind a stage is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, migrate, type Pool } from '@vawg/db';
import { createTestDatabase, type TestDatabase } from '@vawg/testing';
import { oldestUnprocessed, pipelineMigrations, ProgressTally, readAccounting, recordProgress, type Accounting } from '../src/index.ts';

const sum = (a: Accounting) => a.counted + a.duplicates + a.refused + a.held + a.withdrawn + a.deadLettered + a.discarded + a.pending.validate + a.pending.aggregate;

describe('the account of a cut-off', () => {
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

  it('adds up, by force and national, whatever became of each event', async () => {
    const at = (iso: string, force = 'kent') => ({ force, receivedAt: iso });
    const s1 = { submissionId: '00000000-0000-4000-8000-000000000001', ...at('2026-05-01T08:00:00Z') };
    const s2 = { submissionId: '00000000-0000-4000-8000-000000000002', ...at('2026-05-01T09:00:00Z') };
    const s3 = { submissionId: '00000000-0000-4000-8000-000000000003', ...at('2026-05-01T09:30:00Z', 'essex') };
    const late = { submissionId: '00000000-0000-4000-8000-000000000004', ...at('2026-05-02T08:00:00Z') };
    const t = new ProgressTally();
    // s1: 10 accepted; 7 passed (one of them released from a hold), 1 duplicate, 1 held, 1 withdrawn;
    // aggregate counted 6 and dead-lettered 1.
    t.add(s1, 'ingest', 'accepted', 10);
    t.add(s1, 'validate', 'passed', 7);
    t.add(s1, 'validate', 'duplicate');
    t.add(s1, 'validate', 'held', 2);
    t.add(s1, 'validate', 'held', -1);
    t.add(s1, 'validate', 'withdrawn');
    t.add(s1, 'aggregate', 'counted', 6);
    t.add(s1, 'aggregate', 'dead-lettered');
    // s2: answered 503, yet its 3 events reached the log and were counted: no receipt.
    t.add(s2, 'validate', 'passed', 3);
    t.add(s2, 'aggregate', 'counted', 3);
    // s3: 5 accepted, 2 validated (1 refused, 1 passed), none counted yet.
    t.add(s3, 'ingest', 'accepted', 5);
    t.add(s3, 'validate', 'refused');
    t.add(s3, 'validate', 'passed');
    // After the cut-off: not in the account.
    t.add(late, 'ingest', 'accepted', 4);
    await recordProgress(pool, t);

    const cutoff = new Date('2026-05-01T23:59:59Z');
    const national = await readAccounting(pool, cutoff);
    expect(national).toEqual({
      accepted: 15, withoutReceipt: 3, counted: 9, duplicates: 1, refused: 1, held: 1, withdrawn: 1, deadLettered: 1, discarded: 0,
      pending: { validate: 3, aggregate: 1 },
    });
    expect(sum(national)).toBe(national.accepted + national.withoutReceipt);
    const byForce = await readAccounting(pool, cutoff, true);
    expect(byForce.get('essex')).toMatchObject({ accepted: 5, counted: 0, refused: 1, pending: { validate: 3, aggregate: 1 } });
    expect(byForce.get('kent')).toMatchObject({ accepted: 10, withoutReceipt: 3, counted: 9, pending: { validate: 0, aggregate: 0 } });
    for (const a of byForce.values()) expect(sum(a)).toBe(a.accepted + a.withoutReceipt);

    // How far behind: the oldest event not yet processed, by receipt.
    expect(await oldestUnprocessed(pool, 'validate')).toEqual(new Date(s3.receivedAt));
    expect(await oldestUnprocessed(pool, 'aggregate')).toEqual(new Date(s3.receivedAt));
    // With dead letters taken as not processed, s1's is older.
    expect(await oldestUnprocessed(pool, 'aggregate', { deadLettersPending: true })).toEqual(new Date(s1.receivedAt));
  });
});
