// The Kafka adapter of the bus port, on kafkajs. See the service READMEs for which topics use it.
import { Kafka, Partitioners, logLevel, type Consumer, type Producer, type LogEntry } from 'kafkajs';
import type { Bus, OutgoingMessage, SubscribeOptions, Subscription, TopicSpec, ConsumedMessage } from './port.ts';

export interface KafkaBusLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger?: KafkaBusLogger;
  /** How long a fetch waits for new data; low for tests and small deployments. */
  maxWaitTimeMs?: number;
  /**
   * How long the group waits for a silent member before giving its partitions to another: after
   * a crash, the restarted process waits this long to rejoin. The broker's minimum is 6 s.
   */
  sessionTimeoutMs?: number;
  /**
   * Copies of each partition for topics this bus creates, and how many must have a message before
   * `acks=all` answers (`min.insync.replicas`). A real cluster wants 3 and 2; a single broker, 1.
   */
  replicationFactor?: number;
  minInsyncReplicas?: number;
}

/**
 * Brokers refuse a record batch over `message.max.bytes` (1 MiB by default), and kafkajs puts every
 * message for one partition of one send into one batch: a 10,000-event submission would not fit.
 */
const MAX_SEND_BYTES = 512 * 1024;

function chunkBySize(messages: OutgoingMessage[]): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let size = 0;
  for (const message of messages) {
    const bytes = Buffer.byteLength(message.value) + Buffer.byteLength(message.key) + 64;
    if (current.length > 0 && size + bytes > MAX_SEND_BYTES) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(message);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * An admin read again while the broker answers with a retriable error: just after a topic is
 * created, or a leader moved, a broker may say it is not (yet) the partition's leader.
 */
async function retriable<T>(read: () => Promise<T>, attempts = 15): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      const again = typeof error === 'object' && error !== null && 'retriable' in error && error.retriable === true;
      if (!again || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function headersOf(raw: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    headers[name] = (Array.isArray(value) ? value[0] : value)?.toString() ?? '';
  }
  return headers;
}

export function createKafkaBus(options: KafkaBusOptions): Bus {
  const log = options.logger;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      if (entry.level <= logLevel.ERROR) log?.error({ ns: entry.namespace, ...rest }, message);
      else log?.warn({ ns: entry.namespace, ...rest }, message);
    },
    retry: { retries: 8 },
  });
  const admin = kafka.admin();
  let adminReady: Promise<void> | null = null;
  // A failed connect is forgotten, so the next call tries again (the broker may be back).
  const connectAdmin = () => {
    if (adminReady) return adminReady;
    const attempt = admin.connect();
    adminReady = attempt;
    attempt.catch(() => { if (adminReady === attempt) adminReady = null; });
    return attempt;
  };
  let producer: Producer | null = null;
  let producerReady: Promise<Producer> | null = null;
  const consumers = new Set<Consumer>();

  /**
   * The producer, connected. A failed connect or send drops it, so the next publish starts a new
   * one: a producer that never connected (the broker was down at the first request) or whose
   * idempotence sequence went astray in a failed send would otherwise fail every publish after.
   */
  function connectedProducer(): Promise<Producer> {
    if (producerReady) return producerReady;
    const attempt = (async () => {
      // Idempotent: a retried send cannot duplicate within a producer session. Retries are bounded
      // so a dead broker fails the request instead of hanging it; consumers dedupe by eventId anyway.
      const created = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 5, maxRetryTime: 5_000 },
      });
      producer = created;
      await created.connect();
      return created;
    })();
    producerReady = attempt;
    attempt.catch(() => { if (producerReady === attempt) dropProducer(); });
    return attempt;
  }

  function dropProducer(): void {
    const stale = producer;
    producer = null;
    producerReady = null;
    stale?.disconnect().catch(() => undefined);
  }

  /** Until every partition of the topics has a leader: 30 s, then the last error. */
  async function waitForLeaders(topics: string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
        if (metadata.length === topics.length && metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
        if (Date.now() > deadline) throw new Error(`bus: topics without leaders after 30 s: ${topics.join(', ')}`);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return {
    async ensureTopics(specs: TopicSpec[]) {
      await connectAdmin();
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length === 0) return;
      await admin.createTopics({
        // kafkajs's own wait gives up when the metadata answers UNKNOWN_TOPIC_OR_PARTITION, which a
        // KRaft broker does for a moment after creating a topic; waitForLeaders below retries it.
        waitForLeaders: false,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: options.replicationFactor ?? -1,
          configEntries: [
            ...(s.keepForever ? [{ name: 'retention.ms', value: '-1' }, { name: 'retention.bytes', value: '-1' }] : []),
            ...(options.minInsyncReplicas ? [{ name: 'min.insync.replicas', value: String(options.minInsyncReplicas) }] : []),
          ],
        })),
      });
      await waitForLeaders(missing.map((s) => s.topic));
    },

    async publish(topic, messages) {
      if (messages.length === 0) return;
      const p = await connectedProducer();
      try {
        for (const chunk of chunkBySize(messages)) {
          await p.send({
            topic,
            acks: -1,
            messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
          });
        }
      } catch (error) {
        if (producer === p) dropProducer();
        throw error;
      }
    },

    async subscribe(opts: SubscribeOptions): Promise<Subscription> {
      const consumer = kafka.consumer({
        groupId: opts.groupId,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: options.maxWaitTimeMs ?? 250,
        sessionTimeout: options.sessionTimeoutMs ?? 10_000,
        heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 10_000) / 3)),
        maxBytesPerPartition: opts.maxBytesPerPartition ?? 1024 * 1024,
        maxBytes: Math.max(10 * 1024 * 1024, (opts.maxBytesPerPartition ?? 0) * 2),
      });
      consumers.add(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: opts.topics, fromBeginning: true });
      if (opts.storedPosition) resumeAtStoredPositions(consumer, opts.storedPosition, log);
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommitThreshold: 1,
        partitionsConsumedConcurrently: opts.concurrency ?? 1,
        eachBatch: async (payload) => {
          const { batch } = payload;
          if (batch.messages.length === 0 || payload.isStale()) return;
          const messages: ConsumedMessage[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key ? m.key.toString() : null,
            value: m.value ?? Buffer.alloc(0),
            headers: headersOf(m.headers),
            timestamp: Number(m.timestamp),
          }));
          await opts.handler({ topic: batch.topic, partition: batch.partition, messages, heartbeat: () => payload.heartbeat() });
          payload.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
          await payload.commitOffsetsIfNecessary();
        },
      });
      return {
        async stop() {
          consumers.delete(consumer);
          await consumer.disconnect();
        },
      };
    },

    async endOffsets(topic) {
      await connectAdmin();
      const offsets = await retriable(() => admin.fetchTopicOffsets(topic));
      return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
    },

    async committedOffsets(groupId, topic) {
      await connectAdmin();
      const [found] = await retriable(() => admin.fetchOffsets({ groupId, topics: [topic] }));
      return (found?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => Math.max(0, Number(p.offset)));
    },

    async ping() {
      try {
        await connectAdmin();
        await admin.describeCluster();
        // Ready means able to publish: the producer itself must be connected, not just the admin.
        await connectedProducer();
        return true;
      } catch {
        return false;
      }
    },

    async close() {
      await Promise.all([...consumers].map((c) => c.disconnect()));
      consumers.clear();
      if (producerReady) await producerReady.then((p) => p.disconnect(), () => undefined);
      if (adminReady) await adminReady.then(() => admin.disconnect(), () => undefined);
    },
  };
}

/**
 * On every assignment, pause the new partitions before the first fetch (the join event is
 * emitted synchronously, before fetching starts), look up where the handler's own store says
 * to resume, seek there, then resume. The broker's committed offsets are only a hint: the
 * handler's store is the truth (aggregate keeps its offsets in the same transaction as its counts).
 */
function resumeAtStoredPositions(consumer: Consumer, storedPosition: NonNullable<SubscribeOptions['storedPosition']>, log?: KafkaBusLogger) {
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions }));
    consumer.pause(assigned);
    const seekAll = async () => {
      for (const { topic, partitions } of assigned) {
        for (const partition of partitions) {
          const offset = await storedPosition(topic, partition);
          if (offset !== undefined) consumer.seek({ topic, partition, offset: String(offset) });
        }
      }
    };
    const attempt = () => {
      seekAll().then(
        () => consumer.resume(assigned),
        (error: unknown) => {
          // Stay paused: resuming at the broker's offsets could skip what the store never saw.
          log?.error({ err: error }, 'bus: reading stored positions failed; retrying in 1s');
          setTimeout(attempt, 1000).unref();
        },
      );
    };
    attempt();
  });
}
