import { appendFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '@vawg/testing';
import { createMemoryBus } from '../src/index.ts';
import type { ConsumedMessage } from '../src/index.ts';

describe('memory bus with a file journal', () => {
  it('keeps acknowledged messages and group positions across a reopen, and drops a torn tail', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vawg-journal-'));
    const first = await createMemoryBus({ dir });
    await first.ensureTopics([{ topic: 't', partitions: 1 }]);
    await first.publish('t', ['a', 'b', 'c'].map((v) => ({ key: 'k', value: v })));
    const seen: string[] = [];
    const s = await first.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: (batch) => { seen.push(...batch.messages.map((m) => m.value.toString())); return Promise.resolve(); },
    });
    await eventually(() => expect(seen).toEqual(['a', 'b', 'c']));
    await s.stop();
    await first.publish('t', [{ key: 'k', value: 'd' }]);
    await first.close();
    // A crash in the middle of an append leaves half a frame behind.
    await appendFile(join(dir, 'topics', 't', '0.log'), Buffer.from([0, 0, 1, 0, 7, 7]));

    const second = await createMemoryBus({ dir });
    const resumed: ConsumedMessage[] = [];
    const again = await second.subscribe({ groupId: 'g', topics: ['t'], handler: (b) => { resumed.push(...b.messages); return Promise.resolve(); } });
    await eventually(() => expect(resumed.map((m) => m.value.toString())).toEqual(['d']));
    expect(resumed[0]!.offset).toBe(3);
    await second.publish('t', [{ key: 'k', value: 'e' }]);
    await eventually(() => expect(resumed.map((m) => m.value.toString())).toEqual(['d', 'e']));
    await again.stop();
    await second.close();
  });

  it('refuses a second member in one group', async () => {
    const bus = await createMemoryBus();
    await bus.ensureTopics([{ topic: 't', partitions: 1 }]);
    const handler = () => Promise.resolve();
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler });
    await expect(bus.subscribe({ groupId: 'g', topics: ['t'], handler })).rejects.toThrow(/already has a member/);
    await bus.close();
  });
});
