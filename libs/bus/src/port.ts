// The one interface every service uses to exchange messages. Services and their steps see
// only these types; which broker carries them is decided at wiring time.

export interface OutgoingMessage {
  /** Partitioning key: messages with one key keep their order (we key by force). */
  key: string;
  value: Buffer | string;
  headers?: Record<string, string>;
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  /** Position in the partition. Kafka offsets stay far below 2^53, so a number is exact. */
  offset: number;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** Broker append time, milliseconds since the epoch. */
  timestamp: number;
}

/** Consecutive messages of one topic-partition, in offset order. */
export interface Batch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /**
   * Tells the broker this member is alive while a batch takes long (a handler retrying a failing
   * dependency): without it Kafka would hand the partition to another member mid-batch. Rejects
   * when the group has moved on, and the handler should then give the batch up.
   */
  heartbeat(): Promise<void>;
}

/**
 * Handles a batch. Resolving means every message of it has had its full effect: the adapter
 * then records the group's position after the batch. Throwing means none is assumed done: the
 * batch (or a later one starting at the same place) is delivered again, so effects must be
 * idempotent or, like aggregate, guarded by positions stored with the effect.
 */
export type BatchHandler = (batch: Batch) => Promise<void>;

/** Where a handler that keeps its own positions (in its own transaction) wants to resume. */
export type StoredPosition = (topic: string, partition: number) => Promise<number | undefined>;

/** A group that has never committed starts at the earliest message of each partition. */
export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  handler: BatchHandler;
  /**
   * Positions kept by the handler itself. When a partition is assigned, consumption resumes at
   * the stored next offset if there is one, whatever the group last committed to the broker.
   */
  storedPosition?: StoredPosition;
  /**
   * Throughput knobs: how much of a partition one fetch may bring (bigger batches mean fewer
   * round trips per event), and how many partitions may be in hand at once.
   */
  maxBytesPerPartition?: number;
  concurrency?: number;
}

export interface Subscription {
  /** Stops fetching, waits for the batch in hand, leaves the group. */
  stop(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Keep every message for ever: a log the aggregates can be rebuilt from. */
  keepForever?: boolean;
  /** Otherwise, how long a message is kept (the bus's default when unset: 7 days). */
  retentionMs?: number;
}

export interface Bus {
  /** Creates the topics that do not exist yet. */
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  /** Appends messages; resolves only once they are durable (acks=all on Kafka, a commit on PostgreSQL). */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** The next offset each partition of the topic will be given (its log end), by partition. */
  endOffsets(topic: string): Promise<number[]>;
  /** Where a group has committed to in each partition of the topic (0 where it has not), by partition. */
  committedOffsets(groupId: string, topic: string): Promise<number[]>;
  /** True when the broker answers and messages can be published now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
