// (d) Publishing a half-year for the 44 forces from the aggregates of a year of national-scale
// data, against computing the same cells from the case tables with SQL (the reference
// recompute, which is what publishing without incremental aggregates would have to do).
//
// The case tables are loaded with the aggregate service's own inserts (without the fold), then
// the aggregates are set from the SQL recompute: the tests hold the two equal cell for cell.
import { performance } from 'node:perf_hooks';
import { createPool, migrate, withTransaction } from '@vawg/db';
import { aggregateMigrations, insertFacts, insertRetractions, referenceCells, type Retraction, type StoredFact } from '@vawg/aggregate';
import { forces } from '@vawg/contracts';
import { caseOf } from '@vawg/kpi';
import { createObjectStore } from '@vawg/store';
import { publishMigrations, publishPeriod } from '@vawg/publish';
import { seeded, syntheticHistory } from '@vawg/synthetic';
import { createTestDatabase, s3Endpoint, uniqueName } from '@vawg/testing';

export interface PublicationBench {
  crimes: number;
  events: number;
  loadSeconds: number;
  sqlSeconds: number;
  publishSeconds: number;
  rows: number;
}

export async function benchPublication(crimes: number, progress: (line: string) => void): Promise<PublicationBench> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 4 });
  const store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName('bench-publish').toLowerCase(), forcePathStyle: true });
  try {
    await migrate(pool, aggregateMigrations);
    await migrate(pool, publishMigrations);
    await store.ensureBucket();

    const loadStart = performance.now();
    const random = seeded(501);
    const receivedAt = '2025-11-01T06:00:00.000Z';
    let events = 0;
    for (const force of forces) {
      const facts: StoredFact[] = [];
      const retractions: Retraction[] = [];
      for (const event of syntheticHistory(random, { force: force.id, from: '2024-10-01', to: '2025-10-31', crimes: Math.round(crimes / forces.length), refPrefix: 'B' })) {
        const c = caseOf(event);
        if (c) facts.push({ force: event.force, kind: c.kind, ref: c.ref, event, receivedAt });
        else if (event.type === 'event.retracted') retractions.push({ force: event.force, eventId: event.eventId, target: event.payload.eventId, receivedAt });
      }
      await withTransaction(pool, async (client) => {
        for (let i = 0; i < facts.length; i += 5000) await insertFacts(client, facts.slice(i, i + 5000));
        await insertRetractions(client, retractions);
      });
      events += facts.length + retractions.length;
    }
    await pool.query('ANALYZE aggregate.case_events');
    const loadSeconds = (performance.now() - loadStart) / 1000;
    progress(`  loaded ${events} events of ${crimes} crimes' histories in ${loadSeconds.toFixed(0)} s`);

    const sqlStart = performance.now();
    const cells = await referenceCells(pool);
    const sqlSeconds = (performance.now() - sqlStart) / 1000;
    progress(`  the cells from the case tables with SQL: ${cells.length} cells in ${sqlSeconds.toFixed(1)} s`);

    await withTransaction(pool, async (client) => {
      const counts = cells.filter((c) => c.kind === 'count');
      const histograms = cells.filter((c) => c.kind === 'histogram');
      await client.query(
        `INSERT INTO aggregate.cells SELECT * FROM json_to_recordset($1::json) AS t(force text, month text, measure text, split text, category text, value bigint)`,
        [JSON.stringify(counts.map(({ force, month, measure, split, category, value }) => ({ force, month, measure, split, category, value })))]);
      await client.query(
        `INSERT INTO aggregate.histograms SELECT * FROM json_to_recordset($1::json) AS t(force text, month text, measure text, split text, category text, days integer, count bigint)`,
        [JSON.stringify(histograms.map(({ force, month, measure, split, category, days, value }) => ({ force, month, measure, split, category, days, count: value })))]);
    });
    await pool.query('ANALYZE');

    const publishStart = performance.now();
    const result = await publishPeriod({ pool, store, serviceVersion: 'publish@bench' }, '2025-H1', { cutoff: new Date('2025-11-01T07:00:00Z') });
    const publishSeconds = (performance.now() - publishStart) / 1000;
    const manifest = JSON.parse((await store.get(`${result.prefix}manifest.json`))!.toString()) as { rows: number };
    return { crimes, events, loadSeconds, sqlSeconds, publishSeconds, rows: manifest.rows };
  } finally {
    await pool.end();
    store.close();
    await db.drop();
  }
}
