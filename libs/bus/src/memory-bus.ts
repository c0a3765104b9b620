// The in-process adapter of the bus port: partitions are arrays, consumer groups are positions.
// With `dir` it is also durable (file-journal.ts): what a publish acknowledged survives a crash.
// Limits, by design: one process, and one member per consumer group.
import type { Bus, ConsumedMessage, OutgoingMessage, SubscribeOptions, Subscription, TopicSpec } from './port.ts';
import { PartitionFile, readGroupOffsets, readTopicSpecs, writeGroupOffsets, writeTopicSpecs, type StoredRecord } from './file-journal.ts';

export interface MemoryBusOptions {
  /** Directory for the durable journal; without it, everything is lost with the process. */
  dir?: string;
  /** Most messages handed to a handler at once. */
  maxBatch?: number;
  onHandlerError?: (error: unknown, topic: string, partition: number) => void;
}

interface Partition {
  records: StoredRecord[];
  file?: PartitionFile;
  /** Serialises appends so file order and offsets agree. */
  tail: Promise<void>;
}

/** FNV-1a: stable across runs, so one key always lands in one partition. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

export async function createMemoryBus(options: MemoryBusOptions = {}): Promise<Bus> {
  const { dir } = options;
  const maxBatch = options.maxBatch ?? 500;
  const topics = new Map<string, Partition[]>();
  const groups = dir ? await readGroupOffsets(dir) : new Map<string, Record<string, number>>();
  const members = new Set<string>();
  const wakers = new Set<() => void>();
  const stops = new Set<() => Promise<void>>();

  async function openTopic(topic: string, count: number): Promise<void> {
    const partitions: Partition[] = [];
    for (let p = 0; p < count; p++) {
      if (dir) {
        const { file, records } = await PartitionFile.open(dir, topic, p);
        partitions.push({ records, file, tail: Promise.resolve() });
      } else {
        partitions.push({ records: [], tail: Promise.resolve() });
      }
    }
    topics.set(topic, partitions);
  }

  const specs = dir ? await readTopicSpecs(dir) : {};
  for (const [topic, count] of Object.entries(specs)) await openTopic(topic, count);

  function partitionsOf(topic: string): Partition[] {
    const partitions = topics.get(topic);
    if (!partitions) throw new Error(`memory bus: unknown topic ${topic}`);
    return partitions;
  }

  function wakeAll() {
    for (const wake of wakers) wake();
  }

  async function append(partition: Partition, records: StoredRecord[]): Promise<void> {
    const done = partition.tail.then(async () => {
      await partition.file?.append(records);
      partition.records.push(...records);
    });
    partition.tail = done.catch(() => undefined);
    await done;
  }

  return {
    async ensureTopics(wanted: TopicSpec[]) {
      const missing = wanted.filter((s) => !topics.has(s.topic));
      for (const s of missing) await openTopic(s.topic, s.partitions);
      if (dir && missing.length > 0) {
        for (const s of missing) specs[s.topic] = s.partitions;
        await writeTopicSpecs(dir, specs);
      }
    },

    async publish(topic: string, messages: OutgoingMessage[]) {
      const partitions = partitionsOf(topic);
      const byPartition = new Map<number, StoredRecord[]>();
      const now = Date.now();
      for (const m of messages) {
        const p = partitionOf(m.key, partitions.length);
        const list = byPartition.get(p) ?? [];
        list.push({ key: m.key, value: Buffer.from(m.value), headers: m.headers ?? {}, timestamp: now });
        byPartition.set(p, list);
      }
      await Promise.all([...byPartition].map(([p, records]) => append(partitions[p]!, records)));
      wakeAll();
    },

    async subscribe(opts: SubscribeOptions): Promise<Subscription> {
      if (members.has(opts.groupId)) throw new Error(`memory bus: group ${opts.groupId} already has a member`);
      members.add(opts.groupId);
      const committed = groups.get(opts.groupId) ?? {};
      groups.set(opts.groupId, committed);
      const positions = new Map<string, number>();
      for (const topic of opts.topics) {
        const partitions = partitionsOf(topic);
        for (let p = 0; p < partitions.length; p++) {
          const id = `${topic}:${p}`;
          const stored = await opts.storedPosition?.(topic, p);
          const start = stored ?? committed[id] ?? 0;
          positions.set(id, start);
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
            const records = partitions[p]!.records;
            if (from >= records.length) continue;
            const slice = records.slice(from, from + maxBatch);
            const messages: ConsumedMessage[] = slice.map((r, i) => ({
              topic, partition: p, offset: from + i, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp,
            }));
            try {
              await opts.handler({ topic, partition: p, messages });
            } catch (error) {
              // Redelivered on the next pass, as Kafka would after a failed batch.
              options.onHandlerError?.(error, topic, p);
              await new Promise((resolve) => setTimeout(resolve, 100));
              progressed = true;
              continue;
            }
            positions.set(id, from + slice.length);
            committed[id] = from + slice.length;
            if (dir) await writeGroupOffsets(dir, opts.groupId, committed);
            progressed = true;
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

    ping() {
      return Promise.resolve(true);
    },

    async close() {
      await Promise.all([...stops].map((stop) => stop()));
      for (const partitions of topics.values()) {
        for (const partition of partitions) {
          await partition.tail;
          await partition.file?.close();
        }
      }
    },
  };
}
