// Proves the chosen broker version against kafkajs 2.2.4 on its own broker instance: produce,
// consume in a group, commit, restart the broker, resume exactly where the group left off.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { cacheDir, kafkaVersion, startKafkaBroker, type KafkaBroker } from '../src/index.ts';

async function consumeAll(brokers: string, groupId: string, topic: string, expected: number): Promise<string[]> {
  const consumer = new Kafka({ clientId: 'proof', brokers: [brokers], logLevel: logLevel.NOTHING }).consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${expected} messages arrived`)), 30_000);
    consumer.run({
      eachMessage: ({ message }) => {
        seen.push(message.value?.toString() ?? '');
        if (seen.length >= expected) { clearTimeout(timer); resolve(); }
        return Promise.resolve();
      },
    }).catch(reject);
  });
  // A clean disconnect commits the group's offsets for what was processed.
  await consumer.disconnect();
  return seen;
}

describe(`Kafka broker from infra/kafka/pom.xml with kafkajs`, () => {
  let broker: KafkaBroker | undefined;
  let dataDir = '';
  afterAll(async () => {
    await broker?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('produces, consumes in a group, commits, survives a broker restart and resumes', async () => {
    expect(await kafkaVersion()).toMatch(/^3\.9\./);
    dataDir = await mkdtemp(join(cacheDir, 'proof-'));
    broker = await startKafkaBroker({ dataDir, heap: '512m' });
    const { brokers, port, controllerPort } = broker;
    const kafka = () => new Kafka({ clientId: 'proof', brokers: [brokers], logLevel: logLevel.NOTHING });

    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'proof', numPartitions: 2 }] });
    await admin.disconnect();

    const produce = async (values: string[]) => {
      const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic: 'proof', acks: -1, messages: values.map((value) => ({ key: value, value })) });
      await producer.disconnect();
    };
    await produce(['a', 'b', 'c', 'd']);
    expect((await consumeAll(brokers, 'proof-group', 'proof', 4)).sort()).toEqual(['a', 'b', 'c', 'd']);

    await broker.stop();
    broker = await startKafkaBroker({ dataDir, port, controllerPort, heap: '512m' });

    await produce(['e', 'f']);
    expect((await consumeAll(brokers, 'proof-group', 'proof', 2)).sort()).toEqual(['e', 'f']);
  }, 240_000);
});
