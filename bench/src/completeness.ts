// (e) Reading the completeness grid of a half-year for every force and dataset (44 × 5 × 6
// cells, each judged against its own 12 months of history), as GET /v1/completeness, the console
// and the metrics do: from a table of five years of dense monthly counts for every force, with
// a few hundred open dead letters.
import { performance } from 'node:perf_hooks';
import { createPool, migrate } from '@vawg/db';
import { datasets, forceIds } from '@vawg/contracts';
import { addMonths, pipelineMigrations, readCompleteness } from '@vawg/pipeline';
import { seeded } from '@vawg/synthetic';
import { createTestDatabase } from '@vawg/testing';

export interface CompletenessBench { cells: number; rows: number; runs: number; medianMs: number; p95Ms: number }

export async function benchCompleteness(runs = 50): Promise<CompletenessBench> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 4 });
  try {
    await migrate(pool, pipelineMigrations);
    const random = seeded(77);
    const months = Array.from({ length: 60 }, (_, i) => addMonths('2021-04', i));
    const rows = forceIds.flatMap((force) => datasets.flatMap((dataset) => months.map((month) => {
      const received = 50 + random.int(400);
      return { force, dataset, month, received, duplicates: random.int(5), refused: random.int(5), counted: received - 10, closed: random.next() < 0.9 };
    })));
    await pool.query(
      `INSERT INTO pipeline.completeness (force, dataset, month, received, duplicates, refused, counted, first_arrival, last_arrival, closed_at, closed_on)
       SELECT force, dataset, month, received, duplicates, refused, counted, now(), now(), CASE WHEN closed THEN now() END, CASE WHEN closed THEN current_date END
         FROM json_to_recordset($1::json) AS t(force text, dataset text, month text, received bigint, duplicates bigint, refused bigint, counted bigint, closed boolean)`,
      [JSON.stringify(rows)]);
    await pool.query(
      `INSERT INTO pipeline.dead_letters (id, stage, force, source_topic, source_partition, source_offset, error, attempts, dead_lettered_at, record)
       SELECT 'validate:raw:0:' || i, 'validate', 'kent', 'raw', 0, i, 'Error: bench', 3, now(),
              json_build_object('original', json_build_object('encoding', 'utf8', 'data', json_build_object('event', json_build_object('type', 'crime.recorded', 'occurredAt', '2025-05-02'))::text))::text
         FROM generate_series(1, 300) AS i`);
    await pool.query('ANALYZE pipeline.completeness');
    const times: number[] = [];
    let cells = 0;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const grid = await readCompleteness(pool, { period: '2025-H1', asAt: new Date('2026-06-01T00:00:00Z') });
      times.push(performance.now() - start);
      cells = grid.cells.length;
    }
    times.sort((a, b) => a - b);
    return { cells, rows: rows.length, runs, medianMs: times[Math.floor(runs / 2)]!, p95Ms: times[Math.floor(runs * 0.95)]! };
  } finally {
    await pool.end();
    await db.drop();
  }
}
