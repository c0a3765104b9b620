export { startPublish, publishMigrations, announcer, DEFAULT_SCHEDULE, scheduleSetting, DEFAULT_RETRY_DELAYS_MS, type PublishService, type PublishServiceDeps } from './publish-service.ts';
export {
  publishPeriod, listPublications, listRuns, PublishError, sha256,
  type Manifest, type PublicationResult, type PublicationSummary, type PublishDeps, type PublishOptions, type RunSummary,
} from './publish-period.ts';
export { catchUp, slotsBetween, periodOfSlot, SCHEDULE_TIMEZONE } from './schedule.ts';
export { diffRows, type Changes } from './diff.ts';
