// Kills the aggregate process (SIGKILL, no clean stop) at random points of a 200,000-event stream
// of every type, several times, restarts it, and checks the aggregates against the reference
// recompute: nothing lost, nothing counted twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus, type Bus } from '@vawg/bus';
import { createPool, type Pool } from '@vawg/db';
import { topicsFor, TOPIC_PARTITIONS, type ForceEvent, type ValidMessage } from '@vawg/contracts';
import { seeded, shuffle, syntheticHistory } from '@vawg/synthetic';
import { createTestDatabase, eventually, kafkaBrokers, uniqueName, type TestDatabase } from '@vawg/testing';
import { compareWithReference } from '../src/reference/compare.ts';

const FORCES = ['kent', 'essex', 'surrey', 'sussex', 'dorset', 'gwent'];
const TOTAL = 200_000;
const serviceDir = fileURLToPath(new URL('..', import.meta.url));

function stream(): ForceEvent[] {
  const random = seeded(4242);
  const events: ForceEvent[] = [];
  for (const force of FORCES) {
    for (const e of syntheticHistory(random, { force, from: '2024-04-01', to: '2025-09-30', crimes: 12_000, refPrefix: 'K' })) events.push(e);
  }
  // A retraction of one event in a hundred, and a repeat of one in twenty, all shuffled.
  const retractions = events.filter((_, i) => i % 100 === 7).map((target): ForceEvent => ({
    eventId: random.uuid(), type: 'event.retracted', schemaVersion: 1, force: target.force, occurredAt: '2025-09-30',
    producedAt: '2025-09-30T12:00:00Z', payload: { eventId: target.eventId, reason: 'sent in error' },
  }));
  const all = [...events, ...retractions];
  const repeats = all.filter((_, i) => i % 20 === 3);
  return shuffle(random, [...all, ...repeats]).slice(0, TOTAL);
}

describe('aggregate killed mid-stream', () => {
  let db: TestDatabase;
  let pool: Pool;
  let bus: Bus;
  let child: ChildProcess | undefined;
  const prefix = uniqueName('kill');
  const topics = topicsFor(prefix);

  const start = () => {
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

  it('ends equal to the reference after SIGKILLs at random points', async () => {
    const events = stream();
    expect(events).toHaveLength(TOTAL);
    const receivedAt = new Date().toISOString();
    await bus.publish(topics.valid, events.map((event, i) => {
      const message: ValidMessage = { v: 1, submissionId: randomUUID(), line: i + 1, force: event.force, receivedAt, event };
      return { key: event.force, value: JSON.stringify(message) };
    }));

    const random = seeded(Date.now() % 100_000);
    const points = [0.1 + random.next() * 0.2, 0.35 + random.next() * 0.2, 0.6 + random.next() * 0.25].map((f) => Math.floor(f * TOTAL));
    for (const point of points) {
      start();
      await eventually(async () => expect(await progress()).toBeGreaterThanOrEqual(point), { timeoutMs: 240_000, intervalMs: 20 });
      await kill();
      expect(await progress()).toBeLessThan(TOTAL);
    }
    start();
    await eventually(async () => expect(await progress()).toBe(TOTAL), { timeoutMs: 300_000 });

    const comparison = await compareWithReference(pool);
    expect(comparison.differences).toEqual([]);
    expect(comparison.checked).toBeGreaterThan(10_000);
    const stored = await pool.query<{ n: number }>('SELECT (SELECT count(*) FROM aggregate.case_events) + (SELECT count(*) FROM aggregate.retractions) AS n');
    expect(stored.rows[0]?.n).toBe(new Set(events.map((e) => e.eventId)).size);
  }, 900_000);
});
