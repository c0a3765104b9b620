// The PostgreSQL bus: the contract every adapter keeps, then what only it must prove: concurrent
// writers never make a reader skip a row, members of one group in two processes share the
// partitions, and a member whose connection dies frees its partitions for another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '@vawg/db';
import { createTestDatabase, eventually, uniqueName, type TestDatabase } from '@vawg/testing';
import { createPostgresBus, type Bus, type ConsumedMessage, type Subscription } from '../src/index.ts';
import { busContract } from './bus-contract.ts';

describe('postgres bus', () => {
  let db: TestDatabase;
  let pool: Pool;
  const buses: Bus[] = [];
  const subscriptions: Subscription[] = [];
  const newBus = async () => {
    const bus = await createPostgresBus({ pool, connectionString: db.url, pollIntervalMs: 200 });
    buses.push(bus);
    return bus;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { max: 20 });
  });
  afterAll(async () => {
    for (const s of subscriptions) await s.stop();
    for (const b of buses) await b.close();
    await pool?.end();
    await db?.drop();
  });

  busContract('postgres', () => newBus());

  it('deletes the messages of a topic past its own retention when it starts, and keeps the rest', async () => {
    const kept = uniqueName('kept');
    const brief = uniqueName('brief');
    const first = await newBus();
    await first.ensureTopics([{ topic: kept, partitions: 1, keepForever: true }, { topic: brief, partitions: 1, retentionMs: 86_400_000 }]);
    await first.publish(kept, [{ key: 'k', value: 'old' }]);
    await first.publish(brief, [{ key: 'k', value: 'old' }, { key: 'k', value: 'new' }]);
    // Two days pass for the first message of each.
    await pool.query(`UPDATE bus.records SET appended_at = now() - interval '2 days' WHERE topic = ANY($1) AND "offset" = 0`, [[kept, brief]]);
    await newBus();
    await eventually(async () => {
      const { rows } = await pool.query<{ topic: string; value: string }>(
        `SELECT topic, convert_from(value, 'UTF8') AS value FROM bus.records WHERE topic = ANY($1) ORDER BY topic, "offset"`, [[kept, brief]]);
      expect(rows.map((r) => `${r.topic === kept ? 'kept' : 'brief'}:${r.value}`).sort()).toEqual(['brief:new', 'kept:old']);
    });
  });

  it('never lets a reader skip a message, with many writers committing at once', async () => {
    const bus = await newBus();
    const t = uniqueName('race');
    await bus.ensureTopics([{ topic: t, partitions: 2 }]);
    const seen: ConsumedMessage[] = [];
    subscriptions.push(await bus.subscribe({ groupId: uniqueName('g'), topics: [t], handler: (b) => { seen.push(...b.messages); return Promise.resolve(); } }));
    const writers = Array.from({ length: 20 }, (_, w) => bus.publish(t, Array.from({ length: 50 }, (_, i) => ({ key: `k${(w + i) % 7}`, value: `${w}:${i}` }))));
    await Promise.all(writers);
    await eventually(() => expect(seen).toHaveLength(1000));
    expect(new Set(seen.map((m) => m.value.toString())).size).toBe(1000);
    for (const p of [0, 1]) {
      const offsets = seen.filter((m) => m.partition === p).map((m) => m.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
  });

  it('shares a group between two processes, and hands a dead member\'s partitions to the other', async () => {
    const first = await newBus();
    const second = await newBus();
    const t = uniqueName('group');
    await first.ensureTopics([{ topic: t, partitions: 4 }]);
    const group = uniqueName('g');
    const byMember: [string[], string[]] = [[], []];
    const a = await first.subscribe({ groupId: group, topics: [t], handler: (b) => { byMember[0].push(...b.messages.map((m) => m.value.toString())); return Promise.resolve(); } });
    subscriptions.push(await second.subscribe({ groupId: group, topics: [t], handler: (b) => { byMember[1].push(...b.messages.map((m) => m.value.toString())); return Promise.resolve(); } }));
    await first.publish(t, Array.from({ length: 40 }, (_, i) => ({ key: `key-${i}`, value: `a${i}` })));
    await eventually(() => expect(byMember[0].length + byMember[1].length).toBe(40));
    // The first member holds every partition (it came first); the second is its standby.
    expect(byMember[0]).toHaveLength(40);

    // The first member's session dies (as in a crash): its partitions pass to the second.
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`, [`bus:${group}`.slice(0, 63)])
      .catch(() => undefined);
    await a.stop();
    await first.publish(t, Array.from({ length: 40 }, (_, i) => ({ key: `key-${i}`, value: `b${i}` })));
    await eventually(() => expect(byMember[1].filter((v) => v.startsWith('b'))).toHaveLength(40), { timeoutMs: 30_000 });
    expect(byMember[1].filter((v) => v.startsWith('a'))).toEqual([]);
  });
});
