// Held events whose wait is over: a breach whose order was never granted, a retraction whose
// target never came, 30 days after receipt. They are refused (their failure records keep them)
// and forgotten, so a corrected re-send is judged afresh.
//
// "30 days" is counted in what validate has processed, not on the wall clock: a hold expires only
// once everything received within 30 days of it has been validated (dead letters included, as
// they may yet be redriven), so a grant waiting in a backlog or a dead letter is never too late.
import type { Bus } from '@vawg/bus';
import { withTransaction, type Pool } from '@vawg/db';
import type { Topics, ValidMessage } from '@vawg/contracts';
import { CompletenessTally, oldestUnprocessed, ProgressTally, recordCompleteness, recordProgress } from '@vawg/pipeline';
import { stateFailure } from './failure.ts';

export const HOLD_DAYS = 30;
const PAGE = 500;

export const expiryRules = {
  'ungranted-order': { code: 'crime.breach-of-ungranted-order', text: (awaiting: string, days: number) => `order ${awaiting} was not granted within ${days} days of this breach being received` },
  'unknown-target': { code: 'event.retraction-of-unknown-event', text: (awaiting: string, days: number) => `event ${awaiting} was not received within ${days} days of this retraction` },
} as const;

export interface ExpiryDeps {
  pool: Pool;
  bus: Bus;
  topics: Topics;
  serviceVersion: string;
  holdDays?: number;
}

/** Refuses every hold older than the limit at `now`; returns how many. Safe to run beside the consumer. */
export async function expireHolds(deps: ExpiryDeps, now: Date): Promise<number> {
  const days = deps.holdDays ?? HOLD_DAYS;
  // How far validate has got, but never more than the hold period behind now: a dead letter that
  // nobody redrives or discards may delay expiry by that much, not freeze it for every force.
  const lowWater = await oldestUnprocessed(deps.pool, 'validate', { deadLettersPending: true });
  const period = days * 86_400_000;
  const processedTo = Math.max(Math.min(now.getTime(), lowWater?.getTime() ?? Infinity), now.getTime() - period);
  const before = new Date(processedTo - period);
  let total = 0;
  for (;;) {
    const expired = await withTransaction(deps.pool, async (client) => {
      const { rows: held } = await client.query<{ force: string; event_id: string; rule: keyof typeof expiryRules; awaiting: string; message: string }>(
        `SELECT force, event_id::text, rule, awaiting, message FROM validate.held
          WHERE received_at < $1 ORDER BY received_at, event_id LIMIT ${PAGE} FOR UPDATE SKIP LOCKED`, [before]);
      if (held.length === 0) return 0;
      const rows = held.map((r) => ({ ...r, message: JSON.parse(r.message) as ValidMessage }));
      const records = rows.map((r) => {
        const rule = expiryRules[r.rule];
        return { key: r.force, value: JSON.stringify(stateFailure(r.message, rule.code, rule.text(r.awaiting, days), deps.serviceVersion, now)) };
      });
      await deps.bus.publish(deps.topics.refused, records);
      const forces = rows.map((r) => r.force);
      const ids = rows.map((r) => r.event_id);
      await client.query('DELETE FROM validate.held h USING unnest($1::text[], $2::uuid[]) AS k(force, event_id) WHERE h.force = k.force AND h.event_id = k.event_id', [forces, ids]);
      await client.query('DELETE FROM validate.events e USING unnest($1::text[], $2::uuid[]) AS k(force, event_id) WHERE e.force = k.force AND e.event_id = k.event_id', [forces, ids]);
      const tally = new ProgressTally();
      const cells = new CompletenessTally();
      for (const r of rows) {
        tally.add(r.message, 'validate', 'held', -1);
        tally.add(r.message, 'validate', 'refused');
        cells.add(r.force, r.message.event, 'refused');
      }
      await recordProgress(client, tally);
      await recordCompleteness(client, cells);
      return rows.length;
    });
    total += expired;
    if (expired < PAGE) return total;
  }
}
