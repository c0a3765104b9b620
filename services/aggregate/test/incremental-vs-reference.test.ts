// The incremental aggregates equal the reference recompute, cell for cell, for any history in
// any order with any repeats (property), on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPool, migrate, type Pool } from '@vawg/db';
import { createTestDatabase, type TestDatabase } from '@vawg/testing';
import { pipelineMigrations } from '@vawg/pipeline';
import { aggregateMigrations } from '../src/aggregate-service.ts';
import { compareWithReference, liveCells } from '../src/reference/compare.ts';
import { arbitraryHistory } from './history.ts';
import { applyInBatches } from './apply-harness.ts';

describe('incremental aggregates against the reference recompute', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await migrate(pool, pipelineMigrations);
    await migrate(pool, aggregateMigrations);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('agree for every measure and split, whatever the order, repeats, retractions and batching (property)', async () => {
    let nonTrivial = 0;
    await fc.assert(fc.asyncProperty(arbitraryHistory(), async ({ arrivals, batchSizes }) => {
      await pool.query('TRUNCATE aggregate.case_events, aggregate.retractions, aggregate.cells, aggregate.histograms, aggregate.consumer_offsets');
      await applyInBatches(pool, arrivals, batchSizes);
      const comparison = await compareWithReference(pool);
      expect(comparison.differences).toEqual([]);
      if ((await liveCells(pool)).length > 0) nonTrivial += 1;
    }), { numRuns: 60 });
    // The histories must exercise something: most produce cells.
    expect(nonTrivial).toBeGreaterThan(40);
  });
});
