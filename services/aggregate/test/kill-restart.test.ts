// Kills the aggregate process (SIGKILL, no clean stop) mid-stream, several times, restarts it,
// and checks the cells are exactly what the events say: nothing lost, nothing counted twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus, type Bus } from '@vawg/bus';
import { createPool, type Pool } from '@vawg/db';
import { topicsFor, TOPIC_PARTITIONS, type ValidMessage, type CrimeRecorded } from '@vawg/contracts';
import { crimeContributions, DeltaSet } from '@vawg/kpi';
import { seeded, shuffle, syntheticCrimes } from '@vawg/synthetic';
import { createTestDatabase, eventually, kafkaBrokers, uniqueName, type TestDatabase } from '@vawg/testing';
import { crimeRowOf } from '../src/crime-step.ts';

const FORCES = ['kent', 'essex', 'surrey', 'sussex', 'dorset', 'gwent'];
const PER_FORCE = 15_000;
const serviceDir = fileURLToPath(new URL('..', import.meta.url));

describe('aggregate killed mid-stream', () => {
  let db: TestDatabase;
  let pool: Pool;
  let bus: Bus;
  let child: ChildProcess | undefined;
  const prefix = uniqueName('kill');
  const topics = topicsFor(prefix);

  const startAggregate = () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serviceDir,
      env: { ...process.env, DATABASE_URL: db.url, KAFKA_BROKERS: kafkaBrokers().join(','), VAWG_TOPIC_PREFIX: prefix, METRICS_PORT: '0', LOG_LEVEL: 'error', KAFKA_SESSION_TIMEOUT_MS: '6000' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  };
  const progress = async () => {
    const { rows } = await pool.query<{ n: number | null }>('SELECT sum(next_offset)::bigint AS n FROM aggregate.consumer_offsets').catch(() => ({ rows: [{ n: 0 }] }));
    return rows[0]?.n ?? 0;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: 'kill-test' });
    await bus.ensureTopics([{ topic: topics.valid, partitions: TOPIC_PARTITIONS }]);
  });
  afterAll(async () => {
    await kill();
    await bus?.close();
    await pool?.end();
    await db?.drop();
  });

  it('counts exactly after three SIGKILLs at different points', async () => {
    const random = seeded(4242);
    const events: CrimeRecorded[] = FORCES.flatMap((force) =>
      syntheticCrimes(random, { force, count: PER_FORCE, from: '2025-01-01', to: '2025-12-31' }));
    // A tenth of the events are sent twice (a producer retry, a force re-sending a file).
    const sent = shuffle(random, [...events, ...events.filter((_, i) => i % 10 === 0)]);
    const receivedAt = new Date().toISOString();
    const submissionId = randomUUID();
    await bus.publish(topics.valid, sent.map((event, i): { key: string; value: string } => {
      const message: ValidMessage = { v: 1, submissionId, line: i + 1, force: event.force, receivedAt, event };
      return { key: event.force, value: JSON.stringify(message) };
    }));

    const total = sent.length;
    for (const fraction of [0.2, 0.45, 0.7]) {
      startAggregate();
      await eventually(async () => expect(await progress()).toBeGreaterThanOrEqual(total * fraction), { timeoutMs: 120_000, intervalMs: 20 });
      await kill();
      expect(await progress()).toBeLessThan(total);
    }
    startAggregate();
    await eventually(async () => expect(await progress()).toBe(total), { timeoutMs: 180_000 });

    const applied = await pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM aggregate.applied_events');
    expect(applied.rows[0]?.n).toBe(events.length);

    const expected = new DeltaSet();
    for (const event of events) expected.add(crimeContributions(crimeRowOf(event)), 1);
    const key = (c: { force: string; month: string; measure: string; split: string; category: string }) =>
      [c.force, c.month, c.measure, c.split, c.category].join('|');
    const want = new Map(expected.toArray().map((d) => [key(d), d.delta]));
    const { rows } = await pool.query<{ force: string; month: string; measure: string; split: string; category: string; value: number }>(
      'SELECT force, month, measure, split, category, value FROM aggregate.cells WHERE value <> 0');
    const got = new Map(rows.map((r) => [key(r), r.value]));
    expect(got.size).toBe(want.size);
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
  }, 600_000);
});
