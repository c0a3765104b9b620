// One member of a consumer group on the PostgreSQL bus. It holds the partitions it consumes with
// session advisory locks on a connection of its own, so members in several processes share a
// group as Kafka's do: a partition has one member at a time, and a member that dies (or whose
// connection drops) frees its partitions at once for another. The same connection LISTENs for
// appends, so a consumer wakes as soon as a publish commits rather than at the next poll.
import pg from 'pg';
import type { Pool } from '@vawg/db';
import type { ConsumedMessage, SubscribeOptions } from './port.ts';
import { RewindTo } from './rewind.ts';

export interface MemberOptions {
  connectionString: string;
  pool: Pool;
  subscribe: SubscribeOptions;
  topics: { topic: string; partitions: number }[];
  read(topic: string, partition: number, from: number): Promise<ConsumedMessage[]>;
  pollIntervalMs: number;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface Member {
  stop(): Promise<void>;
}

interface Held { topic: string; partition: number; position: number }

const NOTIFY_CHANNEL = 'vawg_bus';
const RETRY_FAILED_BATCH_MS = 200;

export async function startMember(o: MemberOptions): Promise<Member> {
  const group = o.subscribe.groupId;
  const wanted = o.topics.flatMap(({ topic, partitions }) => Array.from({ length: partitions }, (_, partition) => `${topic}:${partition}`));
  const topicNames = new Set(o.topics.map((t) => t.topic));
  const held = new Map<string, Held>();
  let client: pg.Client | null = null;
  let running = true;
  let lastClaim = 0;

  let woken = false;
  let onWake: (() => void) | null = null;
  const poke = () => {
    woken = true;
    onWake?.();
  };
  const idle = async (ms: number) => {
    if (!woken) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        onWake = () => { clearTimeout(timer); resolve(); };
      });
      onWake = null;
    }
    woken = false;
  };

  /** The connection is gone, and the locks with it: hold nothing until it is back. */
  const lose = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    held.clear();
    poke();
  };

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: o.connectionString, application_name: `bus:${group}`.slice(0, 63), keepAlive: true });
    c.on('error', (error) => {
      o.logger?.warn({ err: error, group }, 'bus: member connection lost; reconnecting');
      lose(c);
    });
    c.on('end', () => lose(c));
    c.on('notification', (n) => { if (n.payload && topicNames.has(n.payload)) poke(); });
    await c.connect();
    await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
    client = c;
    return c;
  }

  /** Takes every wanted partition no other member holds, and where to resume it. */
  async function claim(): Promise<void> {
    lastClaim = Date.now();
    const c = client ?? (await connect());
    const free = wanted.filter((id) => !held.has(id));
    const { rows } = await c.query<{ id: string; got: boolean }>(
      'SELECT id, pg_try_advisory_lock(hashtext($1), hashtext(id)) AS got FROM unnest($2::text[]) AS id', [group, free]);
    for (const { id, got } of rows) {
      if (!got) continue;
      const at = id.lastIndexOf(':');
      const topic = id.slice(0, at);
      const partition = Number(id.slice(at + 1));
      const stored = await o.subscribe.storedPosition?.(topic, partition);
      const committed = await o.pool.query<{ next_offset: number }>(
        'SELECT next_offset FROM bus.group_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3', [group, topic, partition]);
      held.set(id, { topic, partition, position: stored ?? committed.rows[0]?.next_offset ?? 0 });
    }
  }

  /** Hands the next messages of one partition to the handler; true when there were any. */
  async function deliver(id: string, h: Held): Promise<boolean> {
    const messages = await o.read(h.topic, h.partition, h.position);
    if (messages.length === 0) return false;
    const heartbeat = () => (held.get(id) === h ? Promise.resolve() : Promise.reject(new Error(`bus: ${id} is no longer held by this member`)));
    try {
      await o.subscribe.handler({ topic: h.topic, partition: h.partition, messages, heartbeat });
    } catch (error) {
      if (error instanceof RewindTo) {
        h.position = error.offset;
        return true;
      }
      // Delivered again on a later pass, from the same position, as Kafka would.
      o.logger?.error({ err: error, group, partition: id }, 'bus: handler failed; the batch will be delivered again');
      await new Promise((resolve) => setTimeout(resolve, RETRY_FAILED_BATCH_MS));
      return true;
    }
    h.position = messages[messages.length - 1]!.offset + 1;
    await o.pool.query(
      `INSERT INTO bus.group_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = now()`,
      [group, h.topic, h.partition, h.position]);
    return true;
  }

  // The first claim before the loop starts, so the caller finds its partitions held on return.
  try {
    await claim();
  } catch (error) {
    o.logger?.warn({ err: error, group }, 'bus: member could not claim partitions yet; retrying');
  }
  // One worker per held partition: a partition whose handler is slow or retrying a failure never
  // holds up another. The main loop claims partitions, and starts a worker where there is work.
  const workers = new Map<string, Promise<void>>();
  const work = (id: string, h: Held) => {
    const worker = (async () => {
      try {
        while (running && held.get(id) === h && (await deliver(id, h)));
      } catch (error) {
        // The database is unreachable or restarting: the main loop starts this partition again.
        o.logger?.warn({ err: error, group, partition: id }, 'bus: member cannot reach PostgreSQL; retrying');
      } finally {
        // Restarted by the main loop on the next append or poll (at most one poll interval late).
        workers.delete(id);
      }
    })();
    workers.set(id, worker);
  };
  const loop = (async () => {
    while (running) {
      try {
        if (held.size < wanted.length && Date.now() - lastClaim >= o.pollIntervalMs) await claim();
      } catch (error) {
        o.logger?.warn({ err: error, group }, 'bus: member cannot claim partitions; retrying');
      }
      for (const [id, h] of held) if (!workers.has(id)) work(id, h);
      if (running) await idle(o.pollIntervalMs);
    }
    await Promise.all(workers.values());
  })();

  return {
    async stop() {
      running = false;
      poke();
      await loop;
      const c = client;
      client = null;
      held.clear();
      // Ending the session releases its advisory locks: the partitions are free for another member.
      await c?.end().catch(() => undefined);
    },
  };
}
