// (a) raw kafkajs consume-only rate, and (b) our validate -> aggregate rate, on the same broker
// and the same raw messages, in the same run. The ratio b/a is the figure to watch.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaBus } from '@vawg/bus';
import { createPool, type Pool } from '@vawg/db';
import { topicsFor, TOPIC_PARTITIONS, type ForceEvent, type RawMessage } from '@vawg/contracts';
import { seeded, syntheticHistory } from '@vawg/synthetic';
import { createTestDatabase, kafkaBrokers, uniqueName } from '@vawg/testing';
import { startService } from './services.ts';
import type { Rate } from './measure.ts';

const FORCES = ['metropolitan', 'kent', 'essex', 'west-midlands', 'lancashire', 'dorset'];

export function rawMessages(total: number): { key: string; value: string }[] {
  const random = seeded(99);
  const receivedAt = new Date().toISOString();
  const out: { key: string; value: string }[] = [];
  const perForce = Math.ceil(total / FORCES.length);
  for (const force of FORCES) {
    let n = 0;
    for (const event of syntheticHistory(random, { force, from: '2024-04-01', to: '2025-09-30', crimes: Math.ceil(perForce / 2.5), refPrefix: 'B' })) {
      if (n++ >= perForce || out.length >= total) break;
      const message: RawMessage = { v: 1, submissionId: randomUUID(), line: n, force, receivedAt, event: event satisfies ForceEvent };
      out.push({ key: force, value: JSON.stringify(message) });
    }
  }
  return out;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

export async function benchPipeline(total: number): Promise<Rate[]> {
  const brokers = kafkaBrokers();
  const messages = rawMessages(total);
  const bus = createKafkaBus({ brokers, clientId: 'bench' });
  const topics = topicsFor(uniqueName('bench'));
  await bus.ensureTopics([topics.raw, topics.valid, topics.refused, topics.deadLetter].map((topic) => ({ topic, partitions: TOPIC_PARTITIONS })));
  await bus.publish(topics.raw, messages);

  // (a) kafkajs alone: a consumer group reading the raw topic, doing nothing with each message.
  const consumer = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: uniqueName('raw'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.raw, fromBeginning: true });
  let consumed = 0;
  let bytes = 0;
  const rawStart = performance.now();
  await consumer.run({ eachBatch: ({ batch }) => {
    for (const m of batch.messages) bytes += m.value?.length ?? 0;
    consumed += batch.messages.length;
    return Promise.resolve();
  } });
  await until(() => Promise.resolve(consumed >= messages.length));
  const rawSeconds = (performance.now() - rawStart) / 1000;
  await consumer.disconnect();

  // (b) validate and aggregate, each its own process as in production, on a fresh database.
  const db = await createTestDatabase();
  const pool: Pool = createPool(db.url, { max: 2 });
  const env = { DATABASE_URL: db.url, KAFKA_BROKERS: brokers.join(','), VAWG_TOPIC_PREFIX: topics.prefix };
  const pipelineStart = performance.now();
  const services = [startService('validate', env), startService('aggregate', env)];
  await until(async () => {
    const done = await pool.query<{ n: number }>(
      `SELECT coalesce((SELECT sum(next_offset) FROM aggregate.consumer_offsets), 0)::bigint
            + coalesce((SELECT count(*) FROM validate.held), 0)::bigint AS n`).catch(() => ({ rows: [{ n: 0 }] }));
    return (done.rows[0]?.n ?? 0) >= messages.length;
  });
  const pipelineSeconds = (performance.now() - pipelineStart) / 1000;
  for (const s of services) await s.stop();
  await bus.close();
  await pool.end();
  await db.drop();
  void bytes;
  return [
    { name: '(a) raw kafkajs consume', events: messages.length, seconds: rawSeconds, eventsPerSecond: Math.round(messages.length / rawSeconds) },
    { name: '(b) validate -> aggregate', events: messages.length, seconds: pipelineSeconds, eventsPerSecond: Math.round(messages.length / pipelineSeconds) },
  ];
}
