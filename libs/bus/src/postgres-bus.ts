// The PostgreSQL adapter of the bus port: what the embedded default (`vawg up` without a Kafka
// broker) and any service without KAFKA_BROKERS run on. Topics are append-only logs per partition
// in `bus.records`; consumer groups are positions in `bus.group_offsets`; PostgreSQL gives the
// durability (a publish resolves once its transaction committed), checksums, crash recovery and
// size. Nothing is held in memory.
//
// Why a reader never skips a row that commits late: every writer of a partition locks its row in
// `bus.partitions` and moves `next_offset` in the same transaction as its records, so offsets are
// handed out one writer at a time, and a reader reads only below the `next_offset` it sees
// committed, which no record still in flight can be below.
import { migrate, withTransaction, type Pool } from '@vawg/db';
import type { Bus, ConsumedMessage, OutgoingMessage, SubscribeOptions, Subscription, TopicSpec } from './port.ts';
import { partitionOf } from './partition-of.ts';
import { startMember, type Member } from './postgres-member.ts';

export const busMigrations = { scope: 'bus', dir: new URL('../migrations/', import.meta.url) };

export interface PostgresBusLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PostgresBusOptions {
  pool: Pool;
  /** For each subscription's own connection, which holds its partitions and listens for appends. */
  connectionString: string;
  logger?: PostgresBusLogger;
  /** Most messages handed to a handler at once (default 2,000). */
  maxBatch?: number;
  /** How often a member looks for work when no append woke it (default 1 s). */
  pollIntervalMs?: number;
  /** How long messages of topics not kept for ever are kept (default 7 days, as Kafka's default). */
  retentionMs?: number;
}

export const NOTIFY_CHANNEL = 'vawg_bus';
const SWEEP_INTERVAL_MS = 3_600_000;

interface Row { offset: number; key: string | null; value: Buffer; headers: Record<string, string>; ts: number }

export async function createPostgresBus(options: PostgresBusOptions): Promise<Bus> {
  const { pool } = options;
  await migrate(pool, busMigrations);
  const partitionCounts = new Map<string, number>();
  const members = new Set<Member>();

  async function partitionsOf(topic: string): Promise<number> {
    const known = partitionCounts.get(topic);
    if (known !== undefined) return known;
    const { rows } = await pool.query<{ partitions: number }>('SELECT partitions FROM bus.topics WHERE topic = $1', [topic]);
    const count = rows[0]?.partitions;
    if (count === undefined) throw new Error(`bus: unknown topic ${topic}`);
    partitionCounts.set(topic, count);
    return count;
  }

  const sweep = async () => {
    await pool.query(
      `DELETE FROM bus.records r USING bus.topics t
        WHERE r.topic = t.topic AND NOT t.keep_forever AND r.appended_at < now() - make_interval(secs => coalesce(t.retention_ms / 1000.0, $1))`,
      [(options.retentionMs ?? 7 * 86_400_000) / 1000]);
  };
  const sweeper = setInterval(() => {
    sweep().catch((error: unknown) => options.logger?.warn({ err: error }, 'bus: retention sweep failed; next in an hour'));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();
  // Once at start too: a retention shortened, or a process restarted more often than hourly, still takes effect.
  sweep().catch((error: unknown) => options.logger?.warn({ err: error }, 'bus: retention sweep failed; next in an hour'));

  async function read(topic: string, partition: number, from: number): Promise<ConsumedMessage[]> {
    // The end first, then only below it: everything below a committed end is committed.
    const end = await pool.query<{ next_offset: number }>('SELECT next_offset FROM bus.partitions WHERE topic = $1 AND partition = $2', [topic, partition]);
    const until = end.rows[0]?.next_offset ?? 0;
    if (from >= until) return [];
    const { rows } = await pool.query<Row>(
      `SELECT "offset", key, value, headers, (extract(epoch FROM appended_at) * 1000)::float8 AS ts FROM bus.records
        WHERE topic = $1 AND partition = $2 AND "offset" >= $3 AND "offset" < $4 ORDER BY "offset" LIMIT $5`,
      [topic, partition, from, until, options.maxBatch ?? 2000]);
    return rows.map((r) => ({ topic, partition, offset: r.offset, key: r.key, value: r.value, headers: r.headers, timestamp: Math.round(r.ts) }));
  }

  return {
    async ensureTopics(specs: TopicSpec[]) {
      for (const s of specs) {
        await withTransaction(pool, async (client) => {
          // How long it keeps messages follows the latest spec (a retention changed in the environment); partitions never change.
          await client.query(
            `INSERT INTO bus.topics (topic, partitions, keep_forever, retention_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (topic) DO UPDATE SET keep_forever = excluded.keep_forever, retention_ms = excluded.retention_ms
             WHERE (bus.topics.keep_forever, bus.topics.retention_ms) IS DISTINCT FROM (excluded.keep_forever, excluded.retention_ms)`,
            [s.topic, s.partitions, s.keepForever ?? false, s.retentionMs ?? null]);
          await client.query(
            'INSERT INTO bus.partitions (topic, partition) SELECT $1, p FROM generate_series(0, $2 - 1) AS p ON CONFLICT DO NOTHING', [s.topic, s.partitions]);
        });
      }
    },

    async publish(topic: string, messages: OutgoingMessage[]) {
      if (messages.length === 0) return;
      const count = await partitionsOf(topic);
      const byPartition = new Map<number, OutgoingMessage[]>();
      for (const m of messages) {
        const p = partitionOf(m.key, count);
        const list = byPartition.get(p);
        if (list) list.push(m);
        else byPartition.set(p, [m]);
      }
      const partitions = [...byPartition.keys()].sort((a, b) => a - b);
      await withTransaction(pool, async (client) => {
        // Locks in partition order, so two writers of the same partitions never deadlock.
        const { rows } = await client.query<{ partition: number; next_offset: number }>(
          'SELECT partition, next_offset FROM bus.partitions WHERE topic = $1 AND partition = ANY($2) ORDER BY partition FOR UPDATE', [topic, partitions]);
        const column = { partition: [] as number[], offset: [] as number[], key: [] as string[], value: [] as Buffer[], headers: [] as string[] };
        for (const { partition, next_offset: next } of rows) {
          byPartition.get(partition)!.forEach((m, i) => {
            column.partition.push(partition);
            column.offset.push(next + i);
            column.key.push(m.key);
            column.value.push(Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value));
            column.headers.push(JSON.stringify(m.headers ?? {}));
          });
        }
        await client.query(
          `INSERT INTO bus.records (topic, partition, "offset", key, value, headers)
           SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::text[], $5::bytea[], $6::jsonb[])`,
          [topic, column.partition, column.offset, column.key, column.value, column.headers]);
        await client.query(
          `UPDATE bus.partitions p SET next_offset = p.next_offset + n.count
             FROM unnest($2::int[], $3::int[]) AS n(partition, count) WHERE p.topic = $1 AND p.partition = n.partition`,
          [topic, partitions, partitions.map((p) => byPartition.get(p)!.length)]);
        await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, topic]);
      });
    },

    async subscribe(opts: SubscribeOptions): Promise<Subscription> {
      const topics = await Promise.all(opts.topics.map(async (topic) => ({ topic, partitions: await partitionsOf(topic) })));
      const member = await startMember({
        connectionString: options.connectionString,
        pool,
        subscribe: opts,
        topics,
        read,
        pollIntervalMs: options.pollIntervalMs ?? 1000,
        logger: options.logger,
      });
      members.add(member);
      return {
        async stop() {
          members.delete(member);
          await member.stop();
        },
      };
    },

    async endOffsets(topic: string) {
      const { rows } = await pool.query<{ next_offset: number }>('SELECT next_offset FROM bus.partitions WHERE topic = $1 ORDER BY partition', [topic]);
      return rows.map((r) => r.next_offset);
    },

    async committedOffsets(groupId: string, topic: string) {
      const count = await partitionsOf(topic);
      const { rows } = await pool.query<{ partition: number; next_offset: number }>(
        'SELECT partition, next_offset FROM bus.group_offsets WHERE group_id = $1 AND topic = $2', [groupId, topic]);
      const offsets = Array.from({ length: count }, () => 0);
      for (const r of rows) offsets[r.partition] = r.next_offset;
      return offsets;
    },

    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },

    async close() {
      clearInterval(sweeper);
      await Promise.all([...members].map((m) => m.stop()));
      members.clear();
    },
  };
}
