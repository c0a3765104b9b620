import { describe, expect, it } from 'vitest';
import { createMemoryBus } from '../src/index.ts';
import { busContract } from './bus-contract.ts';

busContract('memory', () => createMemoryBus());

describe('memory bus', () => {
  it('refuses a second member in one group', async () => {
    const bus = await createMemoryBus();
    await bus.ensureTopics([{ topic: 't', partitions: 1 }]);
    const handler = () => Promise.resolve();
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler });
    await expect(bus.subscribe({ groupId: 'g', topics: ['t'], handler })).rejects.toThrow(/already has a member/);
    await bus.close();
  });
});
