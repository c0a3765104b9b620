// A consistent read of what a publication needs: one REPEATABLE READ transaction sees the cells
// and the aggregate's positions as of one instant, whatever the consumers commit meanwhile.
import type { PoolClient } from '@vawg/db';
import { countKey, monthsOfHalfYear } from '@vawg/kpi';

export interface Snapshot {
  counts: Map<string, number>;
  /** Where the aggregate had got to in each partition: the log positions this publication reflects. */
  positions: { topic: string; partition: number; nextOffset: number }[];
  eventsApplied: number;
}

export async function readSnapshot(client: PoolClient, period: string): Promise<Snapshot> {
  const months = monthsOfHalfYear(period);
  const cells = await client.query<{ force: string; month: string; measure: string; split: string; category: string; value: number }>(
    'SELECT force, month, measure, split, category, value FROM aggregate.cells WHERE month = ANY($1) AND value <> 0', [months]);
  const counts = new Map<string, number>();
  for (const c of cells.rows) counts.set(countKey(c.force, c.month, c.measure, c.split, c.category), c.value);
  const positions = await client.query<{ topic: string; partition: number; next_offset: number }>(
    'SELECT topic, partition, next_offset FROM aggregate.consumer_offsets ORDER BY topic, partition');
  const applied = await client.query<{ count: number }>('SELECT count(*)::bigint AS count FROM aggregate.applied_events');
  return {
    counts,
    positions: positions.rows.map((p) => ({ topic: p.topic, partition: p.partition, nextOffset: p.next_offset })),
    eventsApplied: applied.rows[0]?.count ?? 0,
  };
}
