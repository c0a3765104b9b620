// aggregate never skips: a batch that starts past the position it stored (a commit PostgreSQL
// lost, say) sends the consumer back to that position, and nothing is applied meanwhile.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RewindTo } from '@vawg/bus';
import { createPool, migrate, type Pool } from '@vawg/db';
import { pipelineMigrations, positionStore } from '@vawg/pipeline';
import type { ValidMessage } from '@vawg/contracts';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { createTestDatabase, type TestDatabase } from '@vawg/testing';
import { aggregateMigrations } from '../src/aggregate-service.ts';
import { applyBatch } from '../src/apply-batch.ts';

describe('aggregate after a lost commit', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await migrate(pool, pipelineMigrations);
    await migrate(pool, aggregateMigrations);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('goes back to its stored position instead of applying a batch past it', async () => {
    const positions = positionStore('aggregate.consumer_offsets', 'rewind');
    const crimes = syntheticCrimes(seeded(3), { force: 'kent', count: 20, from: '2025-04-01', to: '2025-04-30' });
    const batch = (from: number, to: number) => ({
      topic: 'valid', partition: 0, heartbeat: () => Promise.resolve(),
      messages: crimes.slice(from, to).map((event, i) => {
        const message: ValidMessage = { v: 1, submissionId: randomUUID(), line: 1, force: 'kent', receivedAt: '2025-05-01T09:00:00.000Z', event };
        return { topic: 'valid', partition: 0, offset: from + i, key: 'kent', value: Buffer.from(JSON.stringify(message)), headers: {}, timestamp: 0 };
      }),
    });
    await applyBatch(pool, positions, batch(0, 10));
    await expect(applyBatch(pool, positions, batch(15, 20))).rejects.toEqual(new RewindTo(10));
    expect(await positions.read(pool, 'valid', 0)).toBe(10);
    await applyBatch(pool, positions, batch(10, 20));
    const { rows } = await pool.query<{ n: number }>(`SELECT sum(value)::int AS n FROM aggregate.cells WHERE measure = 'crimes-recorded' AND split = 'all'`);
    expect(rows[0]!.n).toBe(20);
  });
});
