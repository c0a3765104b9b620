// The in-process adapter of the bus port, for unit tests only: partitions are arrays, consumer
// groups are positions, and everything is lost with the process. `vawg up` and the services use
// the PostgreSQL or Kafka adapters, which keep what they acknowledge.
// Limits, by design: one process, and one member per consumer group.
import type { Bus, ConsumedMessage, OutgoingMessage, SubscribeOptions, Subscription, TopicSpec } from './port.ts';
import { partitionOf } from './partition-of.ts';
import { RewindTo } from './rewind.ts';

export interface MemoryBusOptions {
  /** Most messages handed to a handler at once. */
  maxBatch?: number;
  onHandlerError?: (error: unknown, topic: string, partition: number) => void;
}

interface StoredRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

export function createMemoryBus(options: MemoryBusOptions = {}): Promise<Bus> {
  const maxBatch = options.maxBatch ?? 500;
  const topics = new Map<string, StoredRecord[][]>();
  const groups = new Map<string, Record<string, number>>();
  const members = new Set<string>();
  const wakers = new Set<() => void>();
  const stops = new Set<() => Promise<void>>();

  function partitionsOf(topic: string): StoredRecord[][] {
    const partitions = topics.get(topic);
    if (!partitions) throw new Error(`memory bus: unknown topic ${topic}`);
    return partitions;
  }

  return Promise.resolve({
    ensureTopics(wanted: TopicSpec[]) {
      for (const s of wanted) if (!topics.has(s.topic)) topics.set(s.topic, Array.from({ length: s.partitions }, () => []));
      return Promise.resolve();
    },

    publish(topic: string, messages: OutgoingMessage[]) {
      const partitions = partitionsOf(topic);
      const now = Date.now();
      for (const m of messages) {
        partitions[partitionOf(m.key, partitions.length)]!.push({ key: m.key, value: Buffer.from(m.value), headers: m.headers ?? {}, timestamp: now });
      }
      for (const wake of wakers) wake();
      return Promise.resolve();
    },

    async subscribe(opts: SubscribeOptions): Promise<Subscription> {
      if (members.has(opts.groupId)) throw new Error(`memory bus: group ${opts.groupId} already has a member`);
      members.add(opts.groupId);
      const committed = groups.get(opts.groupId) ?? {};
      groups.set(opts.groupId, committed);
      const positions = new Map<string, number>();
      for (const topic of opts.topics) {
        for (let p = 0; p < partitionsOf(topic).length; p++) {
          const id = `${topic}:${p}`;
          positions.set(id, (await opts.storedPosition?.(topic, p)) ?? committed[id] ?? 0);
        }
      }

      let running = true;
      let wake: () => void = () => undefined;
      const waker = () => wake();
      wakers.add(waker);

      const deliverOnce = async (): Promise<boolean> => {
        let progressed = false;
        for (const topic of opts.topics) {
          const partitions = partitionsOf(topic);
          for (let p = 0; p < partitions.length && running; p++) {
            const id = `${topic}:${p}`;
            const from = positions.get(id) ?? 0;
            const records = partitions[p]!;
            if (from >= records.length) continue;
            const messages: ConsumedMessage[] = records.slice(from, from + maxBatch).map((r, i) => ({
              topic, partition: p, offset: from + i, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp,
            }));
            progressed = true;
            try {
              await opts.handler({ topic, partition: p, messages, heartbeat: () => Promise.resolve() });
            } catch (error) {
              if (error instanceof RewindTo) {
                positions.set(id, error.offset);
                continue;
              }
              // Redelivered on the next pass, as Kafka would after a failed batch.
              options.onHandlerError?.(error, topic, p);
              await new Promise((resolve) => setTimeout(resolve, 100));
              continue;
            }
            positions.set(id, from + messages.length);
            committed[id] = from + messages.length;
          }
        }
        return progressed;
      };

      const loop = (async () => {
        while (running) {
          const idle = new Promise<void>((resolve) => (wake = resolve));
          if (!(await deliverOnce()) && running) await idle;
        }
      })();

      const stop = async () => {
        running = false;
        wake();
        await loop;
        wakers.delete(waker);
        members.delete(opts.groupId);
        stops.delete(stop);
      };
      stops.add(stop);
      return { stop };
    },

    endOffsets(topic: string) {
      return Promise.resolve(partitionsOf(topic).map((records) => records.length));
    },

    committedOffsets(groupId: string, topic: string) {
      const committed = groups.get(groupId) ?? {};
      return Promise.resolve(partitionsOf(topic).map((_, p) => committed[`${topic}:${p}`] ?? 0));
    },

    ping() {
      return Promise.resolve(true);
    },

    async close() {
      await Promise.all([...stops].map((stop) => stop()));
    },
  });
}
