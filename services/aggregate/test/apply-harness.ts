// Feeds events to applyBatch as the bus would (one partition, consecutive offsets), without a broker.
import { randomUUID } from 'node:crypto';
import type { Pool } from '@vawg/db';
import type { ForceEvent, ValidMessage } from '@vawg/contracts';
import { positionStore } from '@vawg/pipeline';
import { applyBatch } from '../src/apply-batch.ts';

const positions = positionStore('aggregate.consumer_offsets', 'test');

export async function applyInBatches(pool: Pool, events: readonly ForceEvent[], sizes: readonly number[], start = 0): Promise<number> {
  let offset = start;
  for (let i = 0, b = 0; i < events.length; b++) {
    const size = sizes[b % Math.max(sizes.length, 1)] ?? 100;
    const slice = events.slice(i, i + size);
    const messages = slice.map((event, j) => {
      const message: ValidMessage = { v: 1, submissionId: randomUUID(), line: j + 1, force: event.force, receivedAt: '2026-01-05T09:00:00.000Z', event };
      return { topic: 'valid', partition: 0, offset: offset + j, key: event.force, value: Buffer.from(JSON.stringify(message)), headers: {}, timestamp: 0 };
    });
    await applyBatch(pool, positions, { topic: 'valid', partition: 0, messages, heartbeat: () => Promise.resolve() });
    offset += slice.length;
    i += size;
  }
  return offset;
}
