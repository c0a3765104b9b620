// The Kafka producer on a broker that is down, even at the very first request, recovers by
// itself once the broker is back; and readiness says so, because it asks the producer itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startKafkaBroker, type KafkaBroker } from '@vawg/infra';
import { eventually, uniqueName } from '@vawg/testing';
import { createKafkaBus, type Bus } from '../src/index.ts';

describe('kafka bus when the broker goes away', () => {
  let broker: KafkaBroker | undefined;
  let bus: Bus | undefined;
  let dir = '';
  afterAll(async () => {
    await bus?.close().catch(() => undefined);
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fails a publish while the broker is down, then publishes again by itself once it is back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vawg-kafka-recovery-'));
    const port = await freePort();
    const controllerPort = await freePort();
    broker = await startKafkaBroker({ dataDir: dir, port, controllerPort, heap: '256m' });
    const topic = uniqueName('recovery');
    const setup = createKafkaBus({ brokers: [broker.brokers], clientId: 'recovery-setup' });
    await setup.ensureTopics([{ topic, partitions: 1 }]);
    await setup.close();
    await broker.stop();

    // A new bus whose first ever request meets a dead broker.
    bus = createKafkaBus({ brokers: [`127.0.0.1:${port}`], clientId: 'recovery' });
    await expect(bus.publish(topic, [{ key: 'k', value: 'lost' }])).rejects.toThrow();
    expect(await bus.ping()).toBe(false);

    broker = await startKafkaBroker({ dataDir: dir, port, controllerPort, heap: '256m' });
    await eventually(async () => expect(await bus!.ping()).toBe(true), { timeoutMs: 60_000, intervalMs: 500 });
    await bus.publish(topic, [{ key: 'k', value: 'kept' }]);
    expect(await bus.endOffsets(topic)).toEqual([1]);

    // Down again after it has worked, then back: the same.
    await broker.stop();
    await expect(bus.publish(topic, [{ key: 'k', value: 'lost' }])).rejects.toThrow();
    broker = await startKafkaBroker({ dataDir: dir, port, controllerPort, heap: '256m' });
    await eventually(() => bus!.publish(topic, [{ key: 'k', value: 'kept again' }]), { timeoutMs: 60_000, intervalMs: 500 });
    expect(await bus.endOffsets(topic)).toEqual([2]);
  }, 240_000);
});
