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

describe('kafka topics kept for a period', () => {
  it('creates a topic with its retention, and gives an existing topic a changed one', async () => {
    const { Kafka, ConfigResourceTypes, logLevel } = await import('kafkajs');
    const bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: 'retention' });
    const topic = uniqueName('refused');
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const retention = async () => {
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }] });
      return described.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue;
    };
    try {
      await bus.ensureTopics([{ topic, partitions: 1, keepForever: true }]);
      expect(await retention()).toBe('-1');
      await bus.ensureTopics([{ topic, partitions: 1, retentionMs: 90 * 86_400_000 }]);
      expect(await retention()).toBe(String(90 * 86_400_000));
      await bus.ensureTopics([{ topic, partitions: 1, retentionMs: 3_600_000 }]);
      expect(await retention()).toBe('3600000');
      // Segments roll within the period, so nothing outlives it by more than a segment.
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['segment.ms'] }] });
      expect(described.resources[0]!.configEntries[0]!.configValue).toBe('3600000');
    } finally {
      await admin.disconnect();
      await bus.close();
    }
  });
});
