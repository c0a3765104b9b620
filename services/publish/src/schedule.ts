// The publication calendar (kpis.md, "The schedule"): node-cron fires at each scheduled instant
// in Europe/London, and on start any slot missed while the service was down is made. Both go
// through one routine, catchUp, which makes every owed slot: a scheduled instant since the
// scheduler first ran here (at most a year back) with no run that published or found nothing
// new. Slots are made under one advisory lock, so two instances never make one twice; a failed
// slot stays owed and is retried after a back-off.
import { CronExpressionParser } from 'cron-parser';
import { withSessionLock, type Pool } from '@vawg/db';
import { halfYearEndedBefore } from '@vawg/kpi';
import { londonDate } from '@vawg/contracts';

export const SCHEDULE_TIMEZONE = 'Europe/London';
const LOOK_BACK_MS = 400 * 86_400_000;

/** Scheduled instants in (from, to], oldest first. */
export function slotsBetween(expression: string, from: Date, to: Date): Date[] {
  const slots: Date[] = [];
  const iterator = CronExpressionParser.parse(expression, { currentDate: new Date(to.getTime() + 1), tz: SCHEDULE_TIMEZONE });
  for (;;) {
    const slot = iterator.prev().toDate();
    if (slot.getTime() <= from.getTime()) break;
    slots.push(slot);
  }
  return slots.reverse();
}

/** The half-year a slot publishes: the one that ended before its day in London. */
export function periodOfSlot(slot: Date): string {
  return halfYearEndedBefore(londonDate(slot));
}

export interface SlotOutcome { slot: Date; period: string; ok: boolean; error?: string }

/** Makes every owed slot up to `now`, oldest first, with `run(period, slot)`; returns what it made. */
export async function catchUp(pool: Pool, expression: string, now: Date, run: (period: string, slot: Date) => Promise<unknown>): Promise<SlotOutcome[]> {
  return withSessionLock(pool, 'publish:schedule', async (client) => {
    await client.query('INSERT INTO publish.scheduler (since) VALUES ($1) ON CONFLICT DO NOTHING', [now]);
    const since = (await client.query<{ since: Date }>('SELECT since FROM publish.scheduler')).rows[0]!.since;
    const from = new Date(Math.max(since.getTime(), now.getTime() - LOOK_BACK_MS));
    const outcomes: SlotOutcome[] = [];
    for (const slot of slotsBetween(expression, from, now)) {
      const period = periodOfSlot(slot);
      // Made by its own run, or stood for by an operator's publication of the period as at the slot
      // or later (after a failure that needed a person: dead letters discarded, say).
      const made = await client.query(
        `SELECT 1 FROM publish.runs WHERE status IN ('published', 'unchanged') AND (slot = $1 OR (period = $2 AND cutoff >= $1))`, [slot, period]);
      if (made.rowCount) continue;
      // A run left 'running' by a process that died is over: say so, then make the slot again.
      await client.query(`UPDATE publish.runs SET status = 'failed', error = 'interrupted: the process stopped during the run', finished_at = now() WHERE slot = $1 AND status = 'running'`, [slot]);
      try {
        await run(period, slot);
        outcomes.push({ slot, period, ok: true });
      } catch (error) {
        outcomes.push({ slot, period, ok: false, error: (error as Error).message });
      }
    }
    return outcomes;
  });
}
