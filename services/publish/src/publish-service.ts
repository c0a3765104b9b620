// Wiring of publish: migrations, the announcement on the bus, and the calendar. Runs on demand
// come through publishPeriod (the CLI calls it directly).
import cron from 'node-cron';
import { z } from 'zod';
import { migrate } from '@vawg/db';
import { pipelineMigrations } from '@vawg/pipeline';
import type { Bus } from '@vawg/bus';
import { topicSpecs, type Topics } from '@vawg/contracts';
import type { Logger } from '@vawg/log';
import { counter, gauge, type Registry } from '@vawg/metrics';
import { publishPeriod, type PublishDeps } from './publish-period.ts';
import { catchUp, SCHEDULE_TIMEZONE } from './schedule.ts';

export const publishMigrations = { scope: 'publish', dir: new URL('../migrations/', import.meta.url) };

/** 07:00 on 1 May and 1 November (kpis.md, "The schedule"). */
export const DEFAULT_SCHEDULE = '0 7 1 5,11 *';

/** PUBLISH_SCHEDULE as configuration: a bad expression stops the service at start, in one line. */
export const scheduleSetting = z.string().refine((value) => cron.validate(value), 'a cron expression (minute hour day month weekday), e.g. 0 7 1 5,11 *');
/** After a failed scheduled run: 1 minute, 5, 15, then every hour until it succeeds. */
export const DEFAULT_RETRY_DELAYS_MS = [60_000, 300_000, 900_000, 3_600_000];

export interface PublishServiceDeps extends Omit<PublishDeps, 'announce'> {
  log: Logger;
  registry: Registry;
  schedule?: string;
  /** Where `report.published` goes; nothing is announced without one. */
  bus?: { bus: Bus; topics: Topics };
  /** The clock the catch-up reads (tests set it); the calendar itself fires on real time. */
  now?: () => Date;
  retryDelaysMs?: readonly number[];
}

export interface PublishService {
  /** Settles when the catch-up made at start is done. */
  caughtUp: Promise<void>;
  /** Makes every owed slot now (what the calendar does when it fires). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function announcer(bus: Bus, topics: Topics): PublishDeps['announce'] {
  return async (message) => bus.publish(topics.reports, [{ key: message.period, value: JSON.stringify(message) }]);
}

export async function startPublish(deps: PublishServiceDeps): Promise<PublishService> {
  await migrate(deps.pool, pipelineMigrations);
  await migrate(deps.pool, publishMigrations);
  await deps.store.ensureBucket();
  if (deps.bus) await deps.bus.bus.ensureTopics(topicSpecs(deps.bus.topics));
  const publishDeps: PublishDeps = { ...deps, ...(deps.bus ? { announce: announcer(deps.bus.bus, deps.bus.topics) } : {}) };
  const schedule = deps.schedule ?? DEFAULT_SCHEDULE;
  const now = deps.now ?? (() => new Date());
  const delays = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const runs = counter(deps.registry, 'vawg_publish_runs_total', 'Scheduled publication runs, by result', ['result']);
  const failing = gauge(deps.registry, 'vawg_publish_failed_slots', 'Scheduled publications owed whose last run failed, or 1 while the catch-up itself fails (alert when > 0)');

  let stopped = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | null = null;

  /** After a failure: 1, 5, 15 minutes, then hourly, until a catch-up succeeds. */
  const retryLater = () => {
    if (stopped) return;
    const delay = delays[Math.min(failures, delays.length - 1)] ?? 60_000;
    failures += 1;
    clearTimeout(retry);
    retry = setTimeout(() => void tick(), delay);
  };
  const makeOwed = async () => {
    const outcomes = await catchUp(deps.pool, schedule, now(), async (period, slot) => {
      const result = await publishPeriod(publishDeps, period, { cutoff: slot, trigger: 'schedule', slot });
      runs.inc({ result: result.unchanged ? 'unchanged' : 'published' });
      deps.log.info({ period, slot, revision: result.revision, unchanged: result.unchanged }, 'scheduled publication made');
    });
    const failed = outcomes.filter((o) => !o.ok);
    failing.set(failed.length);
    for (const f of failed) {
      runs.inc({ result: 'failed' });
      deps.log.error({ period: f.period, slot: f.slot, error: f.error }, 'scheduled publication failed; it stays owed and is retried');
    }
    if (failed.length === 0) failures = 0;
    else retryLater();
  };
  // Never two at once in this process (and the advisory lock covers other processes).
  const tick = (): Promise<void> => {
    inFlight ??= makeOwed()
      .catch((error: unknown) => {
        // The catch-up itself failed (PostgreSQL down at 07:00, say): owed slots are unknown, not
        // made. Alert as for a failed slot, and try again on the same back-off, not at the next slot.
        failing.set(1);
        runs.inc({ result: 'failed' });
        deps.log.error({ err: error }, 'publication catch-up failed; retrying');
        retryLater();
      })
      .finally(() => { inFlight = null; });
    return inFlight;
  };

  const task = cron.schedule(schedule, () => tick(), { timezone: SCHEDULE_TIMEZONE, noOverlap: true, name: 'publication' });
  const caughtUp = tick();
  return {
    caughtUp,
    tick,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await task.stop();
      await inFlight;
    },
  };
}
