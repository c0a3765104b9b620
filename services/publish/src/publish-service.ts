// Wiring of publish: migrations, and the calendar (node-cron, Europe/London) that publishes the
// half-year just ended. Runs on demand come through publishPeriod (the CLI calls it directly).
import cron from 'node-cron';
import { migrate } from '@vawg/db';
import { halfYearEndedBefore } from '@vawg/kpi';
import { londonDate } from '@vawg/contracts';
import type { Logger } from '@vawg/log';
import { counter, type Registry } from '@vawg/metrics';
import { publishPeriod, type PublishDeps } from './publish-period.ts';

export const publishMigrations = { scope: 'publish', dir: new URL('../migrations/', import.meta.url) };

/** 07:00 on 1 May and 1 November (kpis.md, "The schedule"). */
export const DEFAULT_SCHEDULE = '0 7 1 5,11 *';
export const SCHEDULE_TIMEZONE = 'Europe/London';

export interface PublishServiceDeps extends PublishDeps {
  log: Logger;
  registry: Registry;
  schedule?: string;
}

export async function startPublish(deps: PublishServiceDeps): Promise<{ stop(): Promise<void> }> {
  await migrate(deps.pool, publishMigrations);
  await deps.store.ensureBucket();
  const runs = counter(deps.registry, 'vawg_publish_runs_total', 'Publication runs, by result', ['result']);
  const task = cron.schedule(deps.schedule ?? DEFAULT_SCHEDULE, async () => {
    const period = halfYearEndedBefore(londonDate(new Date()));
    try {
      const result = await publishPeriod(deps, period);
      runs.inc({ result: result.unchanged ? 'unchanged' : 'published' });
      deps.log.info(result, 'scheduled publication');
    } catch (error) {
      runs.inc({ result: 'failed' });
      deps.log.error({ err: error, period }, 'scheduled publication failed');
    }
  }, { timezone: SCHEDULE_TIMEZONE, noOverlap: true, name: 'publication' });
  return {
    async stop() {
      await task.stop();
    },
  };
}
