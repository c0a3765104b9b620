// What the Kafka adapter needs around kafkajs: send sizes, retries of retriable admin reads,
// headers as strings, and resuming at positions a handler keeps itself.
import type { Consumer } from 'kafkajs';
import type { OutgoingMessage, SubscribeOptions } from './port.ts';
import type { KafkaBusLogger } from './kafka-bus.ts';

/**
 * Brokers refuse a record batch over `message.max.bytes` (1 MiB by default), and kafkajs puts every
 * message for one partition of one send into one batch: a 10,000-event submission would not fit.
 */
const MAX_SEND_BYTES = 512 * 1024;

export function chunkBySize(messages: OutgoingMessage[]): OutgoingMessage[][] {
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
export async function retriable<T>(read: () => Promise<T>, attempts = 15): Promise<T> {
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

export function headersOf(raw: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    headers[name] = (Array.isArray(value) ? value[0] : value)?.toString() ?? '';
  }
  return headers;
}

/**
 * On every assignment, pause the new partitions before the first fetch (the join event is
 * emitted synchronously, before fetching starts), look up where the handler's own store says
 * to resume, seek there, then resume. The broker's committed offsets are only a hint: the
 * handler's store is the truth (aggregate keeps its offsets in the same transaction as its counts).
 */
export function resumeAtStoredPositions(consumer: Consumer, storedPosition: NonNullable<SubscribeOptions['storedPosition']>, log?: KafkaBusLogger) {
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
