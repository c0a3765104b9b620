// Lag on a real bus (PostgreSQL's): messages behind per partition, seconds since last caught up,
// the metrics the alert rules read, and dead letters waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresBus, type Bus } from '@vawg/bus';
import { createPool, migrate, type Pool } from '@vawg/db';
import { createRegistry } from '@vawg/metrics';
import { createTestDatabase, type TestDatabase } from '@vawg/testing';
import { pipelineMigrations, startLagMonitor } from '../src/index.ts';

describe('the lag monitor', () => {
  let db: TestDatabase;
  let pool: Pool;
  let bus: Bus;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await migrate(pool, pipelineMigrations);
    bus = await createPostgresBus({ pool, connectionString: db.url });
    await bus.ensureTopics([{ topic: 'in', partitions: 2 }]);
  });
  afterAll(async () => {
    await bus?.close();
    await pool?.end();
    await db?.drop();
  });

  it('says how many messages a stage is behind, how long ago the oldest it has not processed arrived, and which dead letters wait', async () => {
    // The ledger is read at most every 30 s: the clock moves on by that much between readings.
    let clock = 1_000_000_000;
    const positions = [0, 0];
    let oldest: Date | null = null;
    const registry = createRegistry();
    const monitor = startLagMonitor({
      bus, registry, pool, intervalMs: 3_600_000, now: () => clock,
      stages: [{ stage: 'validate', topic: 'in', positions: () => Promise.resolve([...positions]), oldest: () => Promise.resolve(oldest) }, { stage: 'refusals', topic: 'in', positions: () => Promise.resolve([0, 0]) }],
    });
    expect((await monitor.lag()).validate).toMatchObject({ messages: 0, seconds: 0 });

    await bus.publish('in', Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'x' })));
    const ends = await bus.endOffsets('in');
    clock += 31_000;
    oldest = new Date(clock - 46_000);
    expect((await monitor.sample()).validate).toMatchObject({ messages: 10, seconds: 46 });
    positions[0] = ends[0]!;
    positions[1] = ends[1]! - 1;
    // Between readings of the ledger, the same oldest event, aged by the clock.
    clock += 5_000;
    expect((await monitor.sample()).validate).toMatchObject({ messages: 1, seconds: 51 });
    // Nothing waiting in its input: nothing behind, whatever the last reading said.
    positions[1] = ends[1]!;
    const caughtUp = await monitor.sample();
    expect(caughtUp.validate).toMatchObject({ messages: 0, seconds: 0 });
    // A stage outside the progress ledger has messages behind, and no age it could vouch for.
    expect(caughtUp.refusals).toMatchObject({ messages: 10, seconds: null });
    expect(await registry.getSingleMetricAsString('vawg_consumer_lag_messages')).toMatch(/vawg_consumer_lag_messages\{stage="validate",topic="in",partition="1"\} 0/);
    expect(await registry.getSingleMetricAsString('vawg_consumer_lag_seconds')).toMatch(/^vawg_consumer_lag_seconds\{stage="validate"\} 0$/m);

    await pool.query(`INSERT INTO pipeline.dead_letters (id, stage, force, source_topic, source_partition, source_offset, error, attempts, dead_lettered_at, record)
      VALUES ('aggregate:in:0:3', 'aggregate', 'kent', 'in', 0, 3, 'Error: bug', 3, now(), '{}')`);
    await monitor.sample();
    expect(await registry.getSingleMetricAsString('vawg_dead_letters_waiting')).toMatch(/vawg_dead_letters_waiting\{stage="aggregate",force="kent"\} 1/);
    monitor.stop();
  });
});
