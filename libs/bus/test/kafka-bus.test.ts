import { describe, expect, it } from 'vitest';
import { kafkaBrokers, uniqueName } from '@vawg/testing';
import { createKafkaBus } from '../src/index.ts';
import { busContract } from './bus-contract.ts';

busContract('kafka', () => Promise.resolve(createKafkaBus({ brokers: kafkaBrokers(), clientId: 'bus-contract' })));

describe('kafka topics kept for ever', () => {
  it('creates a topic that keeps the log with no time or size limit', async () => {
    const { Kafka, ConfigResourceTypes, logLevel } = await import('kafkajs');
    const bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: 'retention' });
    const topic = uniqueName('forever');
    await bus.ensureTopics([{ topic, partitions: 1, keepForever: true }]);
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'retention.bytes'] }] });
    await admin.disconnect();
    await bus.close();
    const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(entries).toEqual({ 'retention.ms': '-1', 'retention.bytes': '-1' });
  });
});
