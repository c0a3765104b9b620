// Consumer positions kept by a stage in its own tables, written in the same transaction as the
// effects of the messages before them: the truth for resuming, whatever the bus's own committed
// offsets say. That is what makes a stage's effects exactly once without Kafka transactions.
import type { Pool, PoolClient } from '@vawg/db';

/** A table of (group_id, topic, partition, next_offset, updated_at), such as aggregate.consumer_offsets. */
export type PositionTable = 'aggregate.consumer_offsets' | 'validate.consumer_offsets';

export interface PositionStore {
  /** The next offset to process, if one is stored (for the bus, on assignment). */
  read(pool: Pool, topic: string, partition: number): Promise<number | undefined>;
  /** Locks the partition's position for this transaction and returns the next offset to process. */
  claim(client: PoolClient, topic: string, partition: number): Promise<number>;
  save(client: PoolClient, topic: string, partition: number, next: number): Promise<void>;
  /** Moves past a message that was dead-lettered, if the position is at it. */
  skipPast(client: PoolClient, topic: string, partition: number, offset: number): Promise<void>;
  /** Every partition's position, for lag and for a publication's manifest. */
  all(pool: Pool | PoolClient): Promise<{ topic: string; partition: number; nextOffset: number }[]>;
}

export function positionStore(table: PositionTable, groupId: string): PositionStore {
  const store: PositionStore = {
    async read(pool, topic, partition) {
      const { rows } = await pool.query<{ next_offset: number }>(
        `SELECT next_offset FROM ${table} WHERE group_id = $1 AND topic = $2 AND partition = $3`, [groupId, topic, partition]);
      return rows[0]?.next_offset;
    },
    async claim(client, topic, partition) {
      await client.query(`INSERT INTO ${table} (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING`, [groupId, topic, partition]);
      const { rows } = await client.query<{ next_offset: number }>(
        `SELECT next_offset FROM ${table} WHERE group_id = $1 AND topic = $2 AND partition = $3 FOR UPDATE`, [groupId, topic, partition]);
      return rows[0]?.next_offset ?? 0;
    },
    async save(client, topic, partition, next) {
      await client.query(`UPDATE ${table} SET next_offset = $4, updated_at = now() WHERE group_id = $1 AND topic = $2 AND partition = $3`, [groupId, topic, partition, next]);
    },
    async skipPast(client, topic, partition, offset) {
      // Only from exactly there: messages before it were settled first, and one past it means a repeat.
      if ((await store.claim(client, topic, partition)) === offset) await store.save(client, topic, partition, offset + 1);
    },
    async all(pool) {
      const { rows } = await pool.query<{ topic: string; partition: number; next_offset: number }>(
        `SELECT topic, partition, next_offset FROM ${table} WHERE group_id = $1 ORDER BY topic, partition`, [groupId]);
      return rows.map((r) => ({ topic: r.topic, partition: r.partition, nextOffset: r.next_offset }));
    },
  };
  return store;
}

/** A stage's stored positions in one topic, by partition (0 where none is stored yet). */
export function positionsOf(store: PositionStore, pool: Pool, topic: string): () => Promise<number[]> {
  return async () => {
    const byPartition: number[] = [];
    for (const p of await store.all(pool)) if (p.topic === topic) byPartition[p.partition] = p.nextOffset;
    return Array.from(byPartition, (n) => n ?? 0);
  };
}
