// The Kafka adapter of the bus port, on kafkajs. See the service READMEs for which topics use it.
import kafkajs, { Kafka, Partitioners, logLevel, type Consumer, type Producer, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Bus, SubscribeOptions, Subscription, TopicSpec, ConsumedMessage } from './port.ts';
import { chunkBySize, headersOf, resumeAtStoredPositions, retriable } from './kafka-support.ts';
import { RewindTo } from './rewind.ts';

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
  /** TLS to the brokers (`true`, or the CA to trust) and SASL credentials (libs/config's kafkaSecurity). */
  ssl?: true | { ca: string[] };
  sasl?: { mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain'; username: string; password: string };
}

export function createKafkaBus(options: KafkaBusOptions): Bus {
  const log = options.logger;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.ssl ? { ssl: options.ssl } : {}),
    ...(options.sasl ? { sasl: options.sasl as SASLOptions } : {}),
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      // Our retries are bounded on purpose (a dead broker must fail a request, not hang it), and
      // every consumer deduplicates by eventId: kafkajs's warning about it says nothing new.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
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

  // kafkajs is CommonJS, and Node's ESM loader does not find this export by name.
  const { ConfigResourceTypes } = kafkajs;
  /**
   * A topic made before its retention was set, or since changed, is given the spec's. kafkajs has
   * only the whole-set AlterConfigs, so every setting this adapter gives a topic is sent again.
   */
  async function alignRetention(specs: TopicSpec[]) {
    if (specs.length === 0) return;
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false, resources: specs.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic, configNames: ['retention.ms'] })),
    });
    const current = new Map(resources.map((r) => [r.resourceName, r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue]));
    const stale = specs.filter((s) => current.get(s.topic) !== String(s.retentionMs));
    for (const s of stale) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: s.topic, configEntries: [
          ...retentionConfig(s.retentionMs!),
          ...(options.minInsyncReplicas ? [{ name: 'min.insync.replicas', value: String(options.minInsyncReplicas) }] : []),
        ] }],
      });
    }
  }

  return {
    async ensureTopics(specs: TopicSpec[]) {
      await connectAdmin();
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      await alignRetention(specs.filter((s) => existing.has(s.topic) && s.retentionMs !== undefined));
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
            ...(!s.keepForever && s.retentionMs !== undefined ? retentionConfig(s.retentionMs) : []),
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
      // Just after a topic is created, a broker of a cluster may not know it yet (kafkajs #1563).
      await retriable(() => consumer.subscribe({ topics: opts.topics, fromBeginning: true }), 50);
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
          try {
            await opts.handler({ topic: batch.topic, partition: batch.partition, messages, heartbeat: () => payload.heartbeat() });
          } catch (error) {
            if (!(error instanceof RewindTo)) throw error;
            consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(error.offset) });
            return;
          }
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
 * A topic kept for a period: Kafka deletes whole segments once their newest message is past it,
 * so segments roll daily (at most) and nothing outlives the period by more than a day (with the
 * default week-long segments, by up to a week).
 */
function retentionConfig(retentionMs: number): { name: string; value: string }[] {
  return [
    { name: 'retention.ms', value: String(retentionMs) },
    { name: 'retention.bytes', value: '-1' },
    { name: 'segment.ms', value: String(Math.min(retentionMs, 86_400_000)) },
  ];
}
