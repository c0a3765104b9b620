// One behavioural contract for every bus adapter: run against the real Kafka broker and the
// memory bus alike, so the fake cannot drift from the real thing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, uniqueName } from '@vawg/testing';
import { RewindTo, type Bus, type ConsumedMessage, type Subscription } from '../src/index.ts';

function collector() {
  const seen: ConsumedMessage[] = [];
  return { seen, handler: (batch: { messages: ConsumedMessage[] }) => { seen.push(...batch.messages); return Promise.resolve(); } };
}

const text = (m: ConsumedMessage) => m.value.toString();

export function busContract(name: string, makeBus: () => Promise<Bus>) {
  describe(`bus contract: ${name}`, () => {
    let bus: Bus;
    const subscriptions: Subscription[] = [];
    const topic = async (partitions = 3) => {
      const t = uniqueName('contract');
      await bus.ensureTopics([{ topic: t, partitions }]);
      return t;
    };
    const subscribe = async (...args: Parameters<Bus['subscribe']>) => {
      const s = await bus.subscribe(...args);
      subscriptions.push(s);
      return s;
    };

    beforeAll(async () => { bus = await makeBus(); });
    afterAll(async () => {
      for (const s of subscriptions) await s.stop();
      await bus.close();
    });

    it('delivers every message once, in order per key, with key and headers', async () => {
      const t = await topic();
      await bus.publish(t, [
        { key: 'kent', value: 'k1', headers: { kind: 'a' } },
        { key: 'essex', value: 'e1' },
        { key: 'kent', value: 'k2' },
      ]);
      await bus.publish(t, [{ key: 'kent', value: 'k3' }, { key: 'essex', value: 'e2' }]);
      const c = collector();
      await subscribe({ groupId: uniqueName('g'), topics: [t], handler: c.handler });
      await eventually(() => expect(c.seen).toHaveLength(5));
      const kent = c.seen.filter((m) => m.key === 'kent');
      expect(kent.map(text)).toEqual(['k1', 'k2', 'k3']);
      expect(new Set(kent.map((m) => m.partition)).size).toBe(1);
      expect(c.seen.filter((m) => m.key === 'essex').map(text)).toEqual(['e1', 'e2']);
      expect(kent[0]!.headers).toEqual({ kind: 'a' });
      expect(kent[1]!.offset).toBeGreaterThan(kent[0]!.offset);
    });

    it('resumes a group after the last committed batch, without redelivery', async () => {
      const t = await topic(1);
      const group = uniqueName('g');
      await bus.publish(t, [1, 2, 3].map((i) => ({ key: 'k', value: `m${i}` })));
      const first = collector();
      const s = await bus.subscribe({ groupId: group, topics: [t], handler: first.handler });
      await eventually(() => expect(first.seen.map(text)).toEqual(['m1', 'm2', 'm3']));
      await s.stop();
      await bus.publish(t, [4, 5].map((i) => ({ key: 'k', value: `m${i}` })));
      const second = collector();
      await subscribe({ groupId: group, topics: [t], handler: second.handler });
      await eventually(() => expect(second.seen.map(text)).toEqual(['m4', 'm5']));
    });

    it('gives every group its own copy', async () => {
      const t = await topic();
      await bus.publish(t, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
      const one = collector();
      const two = collector();
      await subscribe({ groupId: uniqueName('g'), topics: [t], handler: one.handler });
      await subscribe({ groupId: uniqueName('g'), topics: [t], handler: two.handler });
      await eventually(() => {
        expect(one.seen.map(text).sort()).toEqual(['1', '2']);
        expect(two.seen.map(text).sort()).toEqual(['1', '2']);
      });
    });

    it('redelivers a batch whose handler failed, and loses nothing', async () => {
      const t = await topic(1);
      await bus.publish(t, ['a', 'b', 'c'].map((v) => ({ key: 'k', value: v })));
      const attempts: string[] = [];
      const done: string[] = [];
      let failed = false;
      await subscribe({
        groupId: uniqueName('g'),
        topics: [t],
        handler: (batch) => {
          attempts.push(...batch.messages.map(text));
          if (!failed) {
            failed = true;
            return Promise.reject(new Error('handler failure (deliberate)'));
          }
          done.push(...batch.messages.map(text));
          return Promise.resolve();
        },
      });
      await eventually(() => expect(done).toEqual(['a', 'b', 'c']), { timeoutMs: 60_000 });
      expect(attempts.filter((v) => v === 'a')).toHaveLength(2);
    });

    it('resumes at the position the handler stored, whatever the group committed', async () => {
      const t = await topic(1);
      await bus.publish(t, ['0', '1', '2', '3', '4'].map((v) => ({ key: 'k', value: v })));
      const c = collector();
      await subscribe({
        groupId: uniqueName('g'),
        topics: [t],
        handler: c.handler,
        storedPosition: (_topic, partition) => Promise.resolve(partition === 0 ? 3 : undefined),
      });
      await eventually(() => expect(c.seen.map(text)).toEqual(['3', '4']));
      expect(c.seen[0]!.offset).toBe(3);
    });

    it('carries a submission of 10,000 events of 1 KiB in one publish', async () => {
      const t = await topic(2);
      const body = 'x'.repeat(1000);
      await bus.publish(t, Array.from({ length: 10_000 }, (_, i) => ({ key: 'kent', value: `${i}:${body}` })));
      let count = 0;
      let last = -1;
      let ordered = true;
      await subscribe({
        groupId: uniqueName('g'),
        topics: [t],
        handler: (batch) => {
          for (const m of batch.messages) {
            const i = Number(text(m).split(':')[0]);
            if (i !== last + 1) ordered = false;
            last = i;
            count += 1;
          }
          return Promise.resolve();
        },
      });
      await eventually(() => expect(count).toBe(10_000), { timeoutMs: 60_000 });
      expect(ordered).toBe(true);
    });

    it('reports each partition\'s log end and where a group has committed to', async () => {
      const t = await topic(2);
      expect(await bus.endOffsets(t)).toEqual([0, 0]);
      await bus.publish(t, [{ key: 'a', value: '1' }, { key: 'a', value: '2' }, { key: 'b', value: '3' }, { key: 'c', value: '4' }]);
      const ends = await bus.endOffsets(t);
      expect(ends).toHaveLength(2);
      expect(ends.reduce((a, b) => a + b, 0)).toBe(4);
      const group = uniqueName('g');
      expect(await bus.committedOffsets(group, t)).toEqual([0, 0]);
      const c = collector();
      await subscribe({ groupId: group, topics: [t], handler: c.handler });
      await eventually(async () => expect(await bus.committedOffsets(group, t)).toEqual(ends), { timeoutMs: 30_000 });
    });

    it('lets a long handler say it is alive', async () => {
      const t = await topic(1);
      await bus.publish(t, [{ key: 'k', value: 'v' }]);
      let beats = 0;
      await subscribe({
        groupId: uniqueName('g'),
        topics: [t],
        handler: async (batch) => {
          for (let i = 0; i < 3; i++) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            await batch.heartbeat();
            beats += 1;
          }
        },
      });
      await eventually(() => expect(beats).toBe(3));
    });

    it('delivers again from where a handler that keeps its own positions says, skipping nothing', async () => {
      const t = await topic(1);
      await bus.publish(t, ['0', '1', '2', '3', '4'].map((v) => ({ key: 'k', value: v })));
      const starts: number[] = [];
      const seen: number[] = [];
      let rewound = false;
      let next = -1;
      await subscribe({
        groupId: uniqueName('g'),
        topics: [t],
        handler: (batch) => {
          starts.push(batch.messages[0]!.offset);
          if (!rewound && batch.messages.at(-1)!.offset >= 3) {
            rewound = true;
            next = starts.length;
            return Promise.reject(new RewindTo(1));
          }
          seen.push(...batch.messages.map((m) => m.offset));
          return Promise.resolve();
        },
      });
      await eventually(() => expect(seen.at(-1)).toBe(4));
      expect(rewound).toBe(true);
      // The batch after the rewind starts where the handler said, and everything from there comes.
      expect(starts[next]).toBe(1);
      expect([1, 2, 3, 4].every((o) => seen.includes(o))).toBe(true);
    });

    it('answers a ping', async () => {
      expect(await bus.ping()).toBe(true);
    });
  });
}
