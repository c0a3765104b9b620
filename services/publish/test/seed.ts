// Loads synthetic histories into aggregate's tables the way the aggregate service does (applyBatch
// on consecutive offsets), each event received at a chosen instant: the inputs of publication.
import { randomUUID } from 'node:crypto';
import { migrate, type Pool } from '@vawg/db';
import { aggregateMigrations, applyBatch } from '@vawg/aggregate';
import type { ForceEvent, ValidMessage } from '@vawg/contracts';
import { seeded, syntheticHistory } from '@vawg/synthetic';
import { pipelineMigrations, positionStore } from '@vawg/pipeline';
import { publishMigrations } from '../src/index.ts';

export async function migrateAll(pool: Pool): Promise<void> {
  await migrate(pool, pipelineMigrations);
  await migrate(pool, aggregateMigrations);
  await migrate(pool, publishMigrations);
}

/** Synthetic events for each force, October 2024 to October 2025 (so 2025-H1's returns are in). */
export function history(forces: readonly string[], crimes: number, seed = 7): ForceEvent[] {
  const random = seeded(seed);
  return forces.flatMap((force) => [...syntheticHistory(random, { force, from: '2024-10-01', to: '2025-10-31', crimes, refPrefix: 'P' })]);
}

export class Feeder {
  private offset = 0;
  constructor(private readonly pool: Pool) {}

  async apply(events: readonly ForceEvent[], receivedAt: string): Promise<void> {
    for (let i = 0; i < events.length; i += 2000) {
      const messages = events.slice(i, i + 2000).map((event, j) => {
        const message: ValidMessage = { v: 1, submissionId: randomUUID(), line: j + 1, force: event.force, receivedAt, event };
        return { topic: 'valid', partition: 0, offset: this.offset + j, key: event.force, value: Buffer.from(JSON.stringify(message)), headers: {}, timestamp: 0 };
      });
      await applyBatch(this.pool, positionStore('aggregate.consumer_offsets', 'seed'), { topic: 'valid', partition: 0, messages, heartbeat: () => Promise.resolve() });
      this.offset += messages.length;
    }
  }
}
