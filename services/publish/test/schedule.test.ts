// The calendar: slots in Europe/London across summer time, the half-year each publishes, and the
// catch-up of a slot missed while the service was stopped, made exactly once, retried when it
// fails, and announced on the broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '@vawg/db';
import { createKafkaBus, type Bus } from '@vawg/bus';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { createLogger } from '@vawg/log';
import { createRegistry } from '@vawg/metrics';
import { reportPublished, topicsFor, type ReportPublished } from '@vawg/contracts';
import { createTestDatabase, databaseUrl, eventually, kafkaBrokers, s3Endpoint, uniqueName, type TestDatabase } from '@vawg/testing';
import { DEFAULT_SCHEDULE, listRuns, periodOfSlot, scheduleSetting, slotsBetween, startPublish } from '../src/index.ts';
import { migrateAll } from './seed.ts';

describe('the publication calendar', () => {
  it('falls at 07:00 London time on 1 May (summer time) and 1 November (GMT)', () => {
    const slots = slotsBetween(DEFAULT_SCHEDULE, new Date('2025-01-01T00:00:00Z'), new Date('2026-05-01T06:00:00Z'));
    expect(slots.map((s) => s.toISOString())).toEqual(['2025-05-01T06:00:00.000Z', '2025-11-01T07:00:00.000Z', '2026-05-01T06:00:00.000Z']);
    expect(slots.map(periodOfSlot)).toEqual(['2024-H2', '2025-H1', '2025-H2']);
    // A slot is in (from, to]: one second before it, it is not yet owed.
    expect(slotsBetween(DEFAULT_SCHEDULE, new Date('2025-06-01T00:00:00Z'), new Date('2025-11-01T06:59:59Z'))).toEqual([]);
  });

  it('takes a configured calendar, and refuses one that is not a cron expression', () => {
    expect(scheduleSetting.safeParse('30 6 2 5,11 *').success).toBe(true);
    expect(slotsBetween('30 6 2 5,11 *', new Date('2025-10-01T00:00:00Z'), new Date('2025-12-01T00:00:00Z')).map((s) => s.toISOString())).toEqual(['2025-11-02T06:30:00.000Z']);
    expect(scheduleSetting.safeParse('every May').error?.issues[0]?.message).toMatch(/^a cron expression/);
  });
});

describe('publish across a missed slot', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: ObjectStore;
  let bus: Bus;
  const topics = topicsFor(uniqueName('sched'));
  const slot = new Date('2025-11-01T07:00:00.000Z');
  const at = (ms: number) => () => new Date(slot.getTime() + ms);

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await migrateAll(pool);
    await pool.query(`INSERT INTO aggregate.cells VALUES ('kent', '2025-06', 'crimes-recorded', 'all', 'all', 17)`);
    store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName('sched').toLowerCase(), forcePathStyle: true });
    bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: 'schedule-test' });
  });
  afterAll(async () => {
    await bus?.close();
    await pool?.end();
    store?.close();
    await db?.drop();
  });

  const start = (now: () => Date, s: ObjectStore = store, retryDelaysMs = [60_000], registry = createRegistry()) => startPublish({
    pool, store: s, serviceVersion: 'publish@test', log: createLogger('publish', 'silent'), registry,
    bus: { bus, topics }, now, retryDelaysMs, fenceDelayMs: 100,
  });

  it('makes the slot missed while stopped once on restart, not again, and announces it', async () => {
    const announced: ReportPublished[] = [];
    const subscription = await (async () => {
      await bus.ensureTopics([{ topic: topics.reports, partitions: 1, keepForever: true }]);
      return bus.subscribe({ groupId: uniqueName('reports'), topics: [topics.reports], handler: (batch) => {
        for (const m of batch.messages) announced.push(reportPublished.parse(JSON.parse(m.value.toString())));
        return Promise.resolve();
      } });
    })();

    // Up just before 07:00 on 1 November 2025, and stopped before it.
    const before = await start(at(-30_000));
    await before.caughtUp;
    await before.stop();
    expect(await listRuns(pool)).toEqual([]);

    // Back at 07:20: the 07:00 slot is owed and made, for 2025-H1, as at the slot.
    const after = await start(at(20 * 60_000));
    await after.caughtUp;
    await after.stop();
    const runs = await listRuns(pool);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ period: '2025-H1', trigger: 'schedule', slot: slot.toISOString(), cutoff: slot.toISOString(), status: 'published', revision: 1 });
    expect(await store.list('reports/2025-H1/r1/manifest.json')).toHaveLength(1);

    // Restarted again, and a second instance at once: nothing more is made.
    const [again, other] = await Promise.all([start(at(40 * 60_000)), start(at(41 * 60_000))]);
    await Promise.all([again.caughtUp, other.caughtUp]);
    await Promise.all([again.stop(), other.stop()]);
    expect(await listRuns(pool)).toHaveLength(1);

    await eventually(() => expect(announced).toHaveLength(1), { timeoutMs: 30_000 });
    expect(announced[0]).toMatchObject({ type: 'report.published', period: '2025-H1', revision: 1, cutoff: slot.toISOString(), prefix: 'reports/2025-H1/r1/' });
    await subscription.stop();
  }, 120_000);

  it('retries a failed slot until it is made, and records the failure', async () => {
    const next = new Date('2026-05-01T06:00:00.000Z');
    // The object store refuses the first write of the run, as an outage would.
    let refusals = 1;
    const flaky: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      put: async (...args: Parameters<ObjectStore['put']>) => {
        if (refusals-- > 0) throw new Error('object store unavailable');
        return store.put(...args);
      },
    });
    const registry = createRegistry();
    const service = await start(() => new Date(next.getTime() + 60_000), flaky, [200], registry);
    await service.caughtUp;
    // While the slot is failing, the alert's gauge is up.
    expect(await registry.getSingleMetricAsString('vawg_publish_failed_slots')).toMatch(/^vawg_publish_failed_slots 1$/m);
    await eventually(async () => expect((await listRuns(pool, '2025-H2')).map((r) => r.status)).toEqual(['failed', 'published']), { timeoutMs: 20_000 });
    await eventually(async () => expect(await registry.getSingleMetricAsString('vawg_publish_failed_slots')).toMatch(/^vawg_publish_failed_slots 0$/m));
    expect(await registry.getSingleMetricAsString('vawg_publish_runs_total')).toMatch(/result="failed"} 1$/m);
    await service.stop();
    const [failed] = await listRuns(pool, '2025-H2');
    expect(failed).toMatchObject({ trigger: 'schedule', slot: next.toISOString(), error: 'object store unavailable' });
  }, 60_000);

  it('retries a catch-up that failed because PostgreSQL was down at the slot, alerting meanwhile, and makes the slot', async () => {
    const slot2026 = new Date('2026-11-01T07:00:00.000Z');
    let now = new Date(slot2026.getTime() - 60_000);
    const registry = createRegistry();
    const service = await start(() => now, store, [300], registry);
    await service.caughtUp;
    const admin = createPool(databaseUrl(), { max: 1 });
    const name = new URL(db.url).pathname.slice(1);
    try {
      // 07:00 comes while the database refuses every connection.
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      now = new Date(slot2026.getTime() + 1000);
      await service.tick();
      expect(await registry.getSingleMetricAsString('vawg_publish_failed_slots')).toMatch(/^vawg_publish_failed_slots 1$/m);
      expect(await registry.getSingleMetricAsString('vawg_publish_runs_total')).toMatch(/result="failed"} [1-9]/m);
    } finally {
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    // Back: the retry (not the next slot, six months away) makes it.
    await eventually(async () => expect((await listRuns(pool, '2026-H1')).map((r) => r.status)).toEqual(['published']), { timeoutMs: 30_000 });
    await eventually(async () => expect(await registry.getSingleMetricAsString('vawg_publish_failed_slots')).toMatch(/^vawg_publish_failed_slots 0$/m));
    await service.stop();
  }, 90_000);
});
