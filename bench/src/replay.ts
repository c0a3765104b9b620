// (c) A replay: aggregate rebuilding every aggregate from a log of synthetic events of every type,
// from offset 0 on a fresh database, as `vawg replay` or a recovery would. Reports the time and
// the aggregate process's peak resident memory.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createKafkaBus } from '@vawg/bus';
import { createPool } from '@vawg/db';
import { forces, topicsFor, TOPIC_PARTITIONS, type ValidMessage } from '@vawg/contracts';
import { seeded, syntheticHistory } from '@vawg/synthetic';
import { createTestDatabase, kafkaBrokers, uniqueName } from '@vawg/testing';
import { startService } from './services.ts';

export interface ReplayResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  peakRssMiB: number;
  publishSeconds: number;
}

const CHUNK = 20_000;

export async function benchReplay(total: number, progress: (line: string) => void): Promise<ReplayResult> {
  const brokers = kafkaBrokers();
  const bus = createKafkaBus({ brokers, clientId: 'bench-replay' });
  const topics = topicsFor(uniqueName('replay'));
  await bus.ensureTopics([{ topic: topics.valid, partitions: TOPIC_PARTITIONS }]);

  // The log: every force's synthetic history, round-robin by force, published in chunks.
  const random = seeded(2026);
  const receivedAt = new Date().toISOString();
  const perForce = Math.ceil(total / forces.length);
  const streams = forces.map((f) => syntheticHistory(random, { force: f.id, from: '2021-04-01', to: '2026-03-31', crimes: Math.ceil(perForce / 2.6), refPrefix: 'R' }));
  const publishStart = performance.now();
  let published = 0;
  let chunk: { key: string; value: string }[] = [];
  while (published < total) {
    let any = false;
    for (const stream of streams) {
      const next = stream.next();
      if (next.done) continue;
      any = true;
      const message: ValidMessage = { v: 1, submissionId: randomUUID(), line: 1, force: next.value.force, receivedAt, event: next.value };
      chunk.push({ key: next.value.force, value: JSON.stringify(message) });
      if (++published >= total) break;
    }
    if (chunk.length >= CHUNK || !any || published >= total) {
      await bus.publish(topics.valid, chunk);
      chunk = [];
      if (published % 1_000_000 < CHUNK) progress(`  published ${published} events`);
    }
    if (!any) break;
  }
  const publishSeconds = (performance.now() - publishStart) / 1000;
  await bus.close();

  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 1 });
  const start = performance.now();
  const aggregate = startService('aggregate', { DATABASE_URL: db.url, KAFKA_BROKERS: brokers.join(','), VAWG_TOPIC_PREFIX: topics.prefix });
  let lastReport = 0;
  for (;;) {
    const { rows } = await pool.query<{ n: number | null }>('SELECT sum(next_offset)::bigint AS n FROM aggregate.consumer_offsets').catch(() => ({ rows: [{ n: 0 }] }));
    const done = rows[0]?.n ?? 0;
    if (done >= published) break;
    if (done - lastReport >= 1_000_000) {
      lastReport = done - (done % 1_000_000);
      progress(`  applied ${lastReport} events after ${Math.round((performance.now() - start) / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const seconds = (performance.now() - start) / 1000;
  const peakRssMiB = aggregate.peakRssMiB();
  await aggregate.stop();
  await pool.end();
  await db.drop();
  return { events: published, seconds, eventsPerSecond: Math.round(published / seconds), peakRssMiB, publishSeconds };
}
